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

  const show = (counts) => {
    counts.forEach((count, index) => {
      document.getElementById(`count-${index + 1}`).textContent = count;
    });
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
      status.textContent = "";
    } catch (error) {
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
