"""Headless Chromium (Debian's, /usr/bin/chromium) driven by Playwright, for the tests that look at
a page as a person would: the live page's (tests/app/serve/test_browser*.py) and the
documentation site's (tests/test_site.py). Without Chromium or Playwright a test is skipped,
unless DIGITNET_REQUIRE_BROWSER is set (as .ci/run does): then it fails.
"""

import contextlib
import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def require_browser():
    """Skip the test without Playwright or Chromium (fail, under DIGITNET_REQUIRE_BROWSER)."""
    problems = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("Playwright for Python is not installed (pip install playwright)")
    if not os.path.exists(CHROMIUM):
        problems.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    if problems:
        if os.environ.get("DIGITNET_REQUIRE_BROWSER"):
            pytest.fail("; ".join(problems))
        pytest.skip("; ".join(problems))


@contextlib.contextmanager
def chromium_page(url, width, height, errors=None, console=None):
    """A headless Chromium page of width x height at `url`; with a list as `errors`, the page's
    script errors are appended to it from the start; with a list as `console`, the errors the
    browser's console shows (a failed request among them)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": width, "height": height})
        if errors is not None:
            page.on("pageerror", lambda error: errors.append(str(error)))
        if console is not None:
            page.on(
                "console",
                lambda message: console.append(message.text) if message.type == "error" else None,
            )
        page.goto(url)
        yield page
        browser.close()
