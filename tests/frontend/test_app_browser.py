"""The page in headless Debian Chromium, driven by Playwright, against the image's gunicorn.

With JavaScript the page votes in one request (`POST /api/vote`) and updates itself; without it
the plain form posts and the server redirects back to the page.
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
        assert page.inner_text("#status") == ""
        with redis_server.client() as client:
            assert client.hgetall(VOTES_KEY) == {"Spaces": "1"}
    finally:
        context.close()
