// Votes in one request where JavaScript runs: the vote form's fields go to the form's
// data-api URL, and the answer carries the new counts and the token for the next vote.
// Without JavaScript the form posts to / and the server redirects back to the page.
"use strict";

(() => {
  const form = document.getElementById("form");
  const token = document.getElementById("token");
  const status = document.getElementById("status");
  const buttons = form.querySelectorAll("button[name=vote]");
  let sending = false;

  // The same arithmetic as the page's template: shares rounded to whole percents.
  const show = (counts) => {
    const total = counts.reduce((sum, count) => sum + count, 0);
    counts.forEach((count, index) => {
      const n = index + 1;
      const bar = document.getElementById(`bar-${n}`);
      document.getElementById(`count-${n}`).textContent = count;
      document.getElementById(`share-${n}`).textContent =
        `${total ? Math.round((count * 100) / total) : 0}%`;
      bar.max = total || 1;
      bar.value = count;
      bar.setAttribute("aria-label", `${buttons[index].value}: ${count} of ${total} votes`);
    });
    document.getElementById("total-count").textContent = total;
  };

  form.addEventListener("submit", async (event) => {
    const button = event.submitter;
    if (!button || button.name !== "vote") {
      return;
    }
    event.preventDefault();
    if (sending) {
      return;
    }
    sending = true;
    buttons.forEach((each) => { each.disabled = true; });
    try {
      const response = await fetch(form.dataset.api, {
        method: "POST",
        headers: { Accept: "application/json" },
        body: new URLSearchParams({ vote: button.value, token: token.value }),
      });
      const answer = await response.json();
      if (!response.ok) {
        throw new Error(answer.error || `The vote failed (${response.status}).`);
      }
      show(answer.counts);
      token.value = answer.token;
      status.classList.remove("failed");
      status.textContent = `Thanks! Your vote for ${button.value} is counted.`;
    } catch (error) {
      status.classList.add("failed");
      // The token stays: sent again, this vote counts once even if it did get through.
      status.textContent = error instanceof SyntaxError || error instanceof TypeError
        ? "The vote could not be sent. Please try again."
        : error.message;
    } finally {
      sending = false;
      buttons.forEach((each) => { each.disabled = false; });
    }
  });
})();
