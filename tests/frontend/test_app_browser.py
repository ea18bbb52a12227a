"""The page in headless Debian Chromium, driven by Playwright, against the image's gunicorn.

With JavaScript the page votes in one request (`POST /api/vote`) and updates itself; without it
the plain form posts and the server redirects back to the page. Screenshots of every page a test
checks land in `test-artifacts/screenshots/` (git ignores it), to look at after a run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from app.store import VOTES_KEY
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

from tests.frontend.support import RESET_TOKEN, TITLE, Gunicorn, RedisServer
from toolchain.project import PROJECT_DIR

SCREENSHOTS = PROJECT_DIR / "test-artifacts" / "screenshots"
# A desktop window, and an iPhone 12-15's CSS width.
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (no browser download happens here)."""
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page whose console errors and requests are recorded."""

    def __init__(self, page: Page, scripted: bool = True) -> None:
        self.page = page
        self.scripted = scripted
        self.errors: list[str] = []
        self.posts: list[str] = []
        page.on("console", self._console)
        page.on("request", self._request)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _request(self, request: Request) -> None:
        if request.method == "POST":
            self.posts.append(request.url)


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def watched(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Watched]:
    """A fresh page, with JavaScript on or off."""
    context = browser.new_context(java_script_enabled=request.param)
    try:
        yield Watched(context.new_page(), scripted=request.param)
    finally:
        context.close()


def submit(page: Page, button: str) -> None:
    """Click a form button and wait until the redirected page has loaded."""
    with page.expect_navigation(wait_until="load"):
        page.click(button)


def counts(page: Page) -> tuple[int, int]:
    """Read both counts from the page."""
    return int(page.inner_text("#count-1")), int(page.inner_text("#count-2"))


@pytest.mark.browser
def test_vote_twice_and_reset(
    watched: Watched, live_server: Gunicorn, redis_client: redis.Redis, tmp_path: Path
) -> None:
    page = watched.page
    scripted = watched.scripted
    page.goto(live_server.url + "/")
    assert page.title() == TITLE
    assert page.inner_text("#logo") == TITLE
    assert counts(page) == (0, 0)

    for expected in ((1, 0), (2, 0)):
        if scripted:
            token = page.input_value("#token")
            page.click("#vote-1")
            page.wait_for_function(
                "n => document.querySelector('#count-1').textContent == n", arg=str(expected[0])
            )
            # The next vote gets a token of its own.
            assert page.input_value("#token") != token
        else:
            submit(page, "#vote-1")
        assert counts(page) == expected
    if scripted:
        # One request per vote, and the page never left.
        assert watched.posts == [live_server.url + "/api/vote"] * 2
    else:
        # Post/redirect/get: the browser ends on a GET of the page.
        assert watched.posts == [live_server.url + "/"] * 2
    assert page.url == live_server.url + "/"
    page.reload()
    assert counts(page) == (2, 0)
    assert redis_client.hgetall(VOTES_KEY) == {"Tabs": "2"}
    page.screenshot(path=tmp_path / "voted.png", full_page=True)

    # The operator's form is folded away below the results.
    assert not page.is_visible("#reset-token")
    page.click("#operator summary")
    page.fill("#reset-token", RESET_TOKEN)
    submit(page, "#reset")
    assert counts(page) == (0, 0)
    assert watched.errors == []


@pytest.fixture
def own_app(tmp_path: Path) -> Iterator[tuple[RedisServer, Gunicorn]]:
    """gunicorn and a redis-server of this test's own, which it pauses."""
    redis_server = RedisServer(tmp_path / "redis")
    redis_server.start()
    app = Gunicorn(tmp_path / "gunicorn.log", redis_server.app_env())
    try:
        app.start()
        yield redis_server, app
    finally:
        app.stop()
        redis_server.stop()


@pytest.mark.browser
def test_a_failed_vote_is_retried_with_its_token(
    browser: Browser, own_app: tuple[RedisServer, Gunicorn]
) -> None:
    redis_server, app = own_app
    context = browser.new_context()
    try:
        watched = Watched(context.new_page())
        page = watched.page
        page.goto(app.url + "/")
        token = page.input_value("#token")
        redis_server.pause()
        try:
            page.click("#vote-2")
            page.wait_for_function("() => document.querySelector('#status').textContent != ''")
        finally:
            redis_server.resume()
        assert "unavailable" in page.inner_text("#status")
        assert counts(page) == (0, 0)
        # Kept for the retry, which then counts once.
        assert page.input_value("#token") == token
        page.click("#vote-2")
        page.wait_for_function("() => document.querySelector('#count-2').textContent == '1'")
        assert page.inner_text("#status") == "Thanks! Your vote for Spaces is counted."
        with redis_server.client() as client:
            assert client.hgetall(VOTES_KEY) == {"Spaces": "1"}
    finally:
        context.close()


def _shown(page: Page) -> list[tuple[str, str, float, float]]:
    """Each option's count, share text and its bar's value and maximum, as the page shows them."""
    return [
        (
            page.inner_text(f"#count-{n}"),
            page.inner_text(f"#share-{n}"),
            page.eval_on_selector(f"#bar-{n}", "bar => bar.value"),
            page.eval_on_selector(f"#bar-{n}", "bar => bar.max"),
        )
        for n in (1, 2)
    ]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("scripted", [True, False], ids=["javascript", "no-javascript"])
def test_results_are_bars_with_percentages_at_desktop_and_phone_widths(
    browser: Browser,
    live_server: Gunicorn,
    redis_client: redis.Redis,
    viewport: str,
    scripted: bool,
) -> None:
    size = VIEWPORTS[viewport]
    context = browser.new_context(viewport=size, java_script_enabled=scripted)
    name = f"{viewport}-{'javascript' if scripted else 'no-javascript'}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        watched = Watched(context.new_page(), scripted=scripted)
        page = watched.page
        page.goto(live_server.url + "/")
        assert _shown(page) == [("0", "0%", 0, 1), ("0", "0%", 0, 1)]
        assert page.inner_text("#total-count") == "0"
        page.screenshot(path=SCREENSHOTS / f"{name}-empty.png", full_page=True)

        for button, expected in (("#vote-1", "1"), ("#vote-1", "2"), ("#vote-2", "1")):
            if scripted:
                page.click(button)
                number = button[-1]
                page.wait_for_function(
                    f"n => document.querySelector('#count-{number}').textContent == n",
                    arg=expected,
                )
            else:
                submit(page, button)
        assert _shown(page) == [("2", "67%", 2, 3), ("1", "33%", 1, 3)]
        assert page.inner_text("#total-count") == "3"
        assert page.get_attribute("#bar-2", "aria-label") == "Spaces: 1 of 3 votes"
        if scripted:
            # Updated in place, with a confirmation of the last vote.
            assert watched.posts == [live_server.url + "/api/vote"] * 3
            assert page.inner_text("#status") == "Thanks! Your vote for Spaces is counted."
        page.screenshot(path=SCREENSHOTS / f"{name}-voted.png", full_page=True)
        # The server's own rendering agrees with what the script showed.
        page.reload()
        assert _shown(page) == [("2", "67%", 2, 3), ("1", "33%", 1, 3)]

        box = page.locator("#container").bounding_box()
        assert box["x"] >= 8 and box["x"] + box["width"] <= size["width"] - 8, box
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        # Results come right after the buttons; the operator's form is below them, folded.
        buttons = page.locator("#vote-2").bounding_box()
        results = page.locator("#results").bounding_box()
        operator = page.locator("#operator").bounding_box()
        assert buttons["y"] < results["y"] < operator["y"]
        assert not page.is_visible("#reset-token")
        # Each bar spans the card, its value drawn as a share of it.
        assert page.locator("#bar-1").bounding_box()["width"] > box["width"] * 0.7
        assert watched.errors == []
    finally:
        context.close()
