"""Playwright driving Debian's /usr/bin/chromium (never a downloaded browser) against pytest-django's live server.

Without chromium these tests skip with a message; with GUANXI_REQUIRE_BROWSER=1 (set by CI) they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("GUANXI_CHROMIUM", "/usr/bin/chromium")


def _require_browser() -> None:
    if os.path.exists(CHROMIUM) and shutil.which(CHROMIUM):
        return
    message = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("GUANXI_REQUIRE_BROWSER"):
        pytest.fail(message + " — GUANXI_REQUIRE_BROWSER is set, so this is a failure", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread for the whole session; the ORM calls that the
    # tests and their database teardown make around it are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(chromium, live_server):  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)  # generous: CI runs the suite on two busy cores
    yield page
    context.close()


def log_in(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def switch_language(page, code: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.select_option("#language-select", code)
