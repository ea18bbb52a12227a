"""The page in headless Debian Chromium, driven by Playwright, against gunicorn."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.frontend.support import RESET_TOKEN, TITLE, Gunicorn

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


def submit(page: Page, button: str) -> None:
    """Click a form button and wait until the redirected page has loaded."""
    with page.expect_navigation(wait_until="load"):
        page.click(button)


def counts(page: Page) -> tuple[int, int]:
    """Read both counts from the page."""
    return int(page.inner_text("#count-1")), int(page.inner_text("#count-2"))


@pytest.mark.browser
def test_vote_twice_and_reset(
    browser: Browser, live_server: Gunicorn, redis_client: redis.Redis, tmp_path: Path
) -> None:
    page = browser.new_page()
    # The page must work under its Content-Security-Policy without console errors.
    messages: list[ConsoleMessage] = []

    def record(message: ConsoleMessage) -> None:
        messages.append(message)

    page.on("console", record)
    try:
        page.goto(live_server.url + "/")
        assert page.title() == TITLE
        assert page.inner_text("#logo") == TITLE
        assert counts(page) == (0, 0)

        submit(page, "#vote-1")
        assert counts(page) == (1, 0)
        submit(page, "#vote-1")
        assert counts(page) == (2, 0)
        # Post/redirect/get: the browser ends on a GET of the page, so reloading does not vote.
        assert page.url == live_server.url + "/"
        page.reload()
        assert counts(page) == (2, 0)
        page.screenshot(path=tmp_path / "voted.png", full_page=True)

        page.fill("#reset-token", RESET_TOKEN)
        submit(page, "#reset")
        assert counts(page) == (0, 0)
        page.screenshot(path=tmp_path / "reset.png", full_page=True)
        assert [m.text for m in messages if m.type == "error"] == []
    finally:
        page.close()
