"""The drawing page in a real browser: headless Chromium (Debian's), driven by Playwright.

It starts `digitnet serve` with a model trained by the tests, draws digits with the mouse (and
one with touch), and reads the page's answer. Without Chromium or Playwright the test is skipped,
unless DIGITNET_REQUIRE_BROWSER is set (as .ci/run does): then it fails.
"""

import contextlib
import os
import re
import subprocess
import sys

import pytest
from strokes import draw_on_pad

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _require_browser():
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
def serving(*args, cwd=None):
    """`digitnet serve ARGS --port 0` in a subprocess: its URL, while it runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "digitnet", "serve", *args, "--port", "0"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, f"digitnet serve printed {line!r}"
        yield match.group(0)
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def chromium_page(url, width, height, errors=None):
    """A headless Chromium page of width x height at `url`; with a list as `errors`, the page's
    script errors are appended to it from the start."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": width, "height": height})
        if errors is not None:
            page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        yield page
        browser.close()


@pytest.fixture(scope="module")
def page_url(mnist_model):
    with serving(str(mnist_model)) as url:
        yield url


@pytest.fixture(scope="module")
def page(page_url):
    with chromium_page(page_url, 1100, 700) as page:
        yield page


def wait_for_answer(page):
    page.wait_for_function(
        "window.lastResult !== null && document.body.dataset.state === 'idle'", timeout=15000
    )
    return page.evaluate("window.lastResult")


def bar_fractions(page):
    """How much of each digit's track its bar fills, as drawn (after the bars' transition)."""
    return page.evaluate(
        """async () => {
        const rows = [...document.querySelectorAll("#bars .bar")];
        const fills = rows.map((row) => row.querySelector(".fill"));
        await Promise.all(fills.flatMap((fill) => fill.getAnimations().map((a) => a.finished)));
        return rows.map((row) => row.querySelector(".fill").getBoundingClientRect().width /
                                 row.querySelector(".track").getBoundingClientRect().width);
    }"""
    )


@pytest.mark.parametrize("digit", [0, 1, 2, 3, 4, 5, 7])
def test_drawing_with_the_mouse(page, digit):
    page.click("#clear")
    draw_on_pad(page, digit)
    answer = wait_for_answer(page)
    assert page.text_content("#prediction") == str(digit) == str(answer["digit"])
    assert sum(answer["probabilities"]) == pytest.approx(1.0, abs=1e-6)
    assert len(answer["input"]) == 28 and len(answer["activations"]) == 2
    fractions = bar_fractions(page)
    assert fractions == pytest.approx(answer["probabilities"], abs=0.02)  # as drawn, not styled
    if max(answer["probabilities"]) > 0.95:
        assert fractions[answer["digit"]] > 0.9  # the winner's bar is visibly full
    assert page.locator("#activations canvas").count() == 2


def test_clear_resets_the_page(page):
    page.click("#clear")
    assert page.text_content("#prediction") == "?"
    assert page.evaluate("window.lastResult") is None
    assert bar_fractions(page) == [0] * 10


def test_drawing_with_touch(page):
    """A finger: pointer events of type touch, as a phone or tablet sends them."""
    page.click("#clear")
    page.evaluate(
        """() => {
        const pad = document.getElementById("pad");
        const box = pad.getBoundingClientRect();
        const send = (type, y) => pad.dispatchEvent(new PointerEvent(type, {
            pointerId: 7, pointerType: "touch", isPrimary: true, bubbles: true,
            clientX: box.left + box.width * 0.5, clientY: box.top + box.height * y}));
        send("pointerdown", 0.15);
        for (let y = 0.15; y <= 0.85; y += 0.05) send("pointermove", y);
        send("pointerup", 0.85);
    }"""
    )
    answer = wait_for_answer(page)
    assert answer["digit"] == 1 and page.text_content("#prediction") == "1"


def test_a_lone_dot_asks_to_keep_drawing(page):
    """The first touch of a stroke is no digit yet: the page says so, without an error."""
    page.click("#clear")
    box = page.locator("#pad").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("document.body.dataset.state === 'idle'", timeout=15000)
    assert page.text_content("#status") == "keep drawing"
    assert page.text_content("#prediction") == "?"
