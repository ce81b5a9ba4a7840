"""The drawing page in a real browser: headless Chromium (Debian's), driven by Playwright.

It starts `digitnet serve` with a model trained by the tests, draws digits with the mouse (and
one with touch), and reads the page's answer. Without Chromium or Playwright the test is skipped,
unless DIGITNET_REQUIRE_BROWSER is set (as .ci/run does): then it fails.
"""

import contextlib
import json
import re
import subprocess
import sys

import pytest
from browser import chromium_page
from strokes import draw_on_pad

from digitnet.training.settings import CHOICES, DEFAULTS, PAGE_EPOCHS, PRESETS

pytestmark = pytest.mark.slow  # headless Chromium


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
def idle_train_page(url):
    """The page at `url`, 1280x900, once its Train panel says idle; at the end, a failure if
    any of its scripts raised an error."""
    errors = []
    with chromium_page(url, 1280, 900, errors) as page:
        page.wait_for_function("document.getElementById('train-state').textContent === 'idle'")
        yield page
    assert not errors, f"the page's scripts failed: {errors}"


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


def test_an_unsure_reading_says_not_sure_as_the_command_line_does(page):
    """Under UNSURE_BELOW the server answers "sure": false; the page then says "not sure: 4
    (55.0%) or 9 (40.0%)", as `digitnet predict` prints it, not "55.0% sure"."""
    unsure = [0.0, 0.01, 0.01, 0.01, 0.55, 0.01, 0.0, 0.01, 0.0, 0.40]

    def doubtful(route):
        answer = route.fetch().json()  # the server's real answer, its probabilities replaced
        answer.update(digit=4, probabilities=unsure, confidence=0.55, sure=False)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer))

    page.route("**/predict", doubtful)
    try:
        page.click("#clear")
        draw_on_pad(page, 4)
        wait_for_answer(page)
        assert page.text_content("#status") == "not sure: 4 (55.0%) or 9 (40.0%)"
        assert page.text_content("#prediction") == "4"
    finally:
        page.unroute("**/predict", doubtful)
    page.click("#clear")
    draw_on_pad(page, 0)
    answer = wait_for_answer(page)
    assert answer["sure"] and answer["confidence"] == max(answer["probabilities"])
    assert page.text_content("#status") == f"{answer['confidence']:.1%} sure"


def test_a_blank_pad_sends_nothing_and_the_console_stays_clean(page, page_url):
    """Nothing drawn, a lone dot, a stroke off the pad's edge, a teach click on a blank pad:
    no POST /predict (it would be refused), and not one error in the browser's console."""
    console, posts = [], []
    fresh = page.context.browser.new_page(viewport={"width": 1100, "height": 700})
    fresh.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    fresh.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    try:
        fresh.goto(page_url)
        fresh.wait_for_selector("#net option", state="attached")  # the settings have come
        fresh.wait_for_timeout(500)
        fresh.click("#clear")
        box = fresh.locator("#pad").bounding_box()
        fresh.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a dot
        fresh.wait_for_timeout(300)
        assert fresh.text_content("#status") == "keep drawing"
        fresh.click("#clear")
        fresh.mouse.move(box["x"] + 3, box["y"] + 3)  # from the corner, outward
        fresh.mouse.down()
        fresh.mouse.move(box["x"] - 60, box["y"] - 60, steps=5)
        fresh.mouse.up()
        fresh.wait_for_timeout(300)
        fresh.click("#clear")
        fresh.click("[data-teach='3']")
        fresh.wait_for_timeout(300)
        assert fresh.text_content("#teach-result") == "draw a digit first, then click what it is"
        assert fresh.text_content("#prediction") == "?"
    finally:
        fresh.close()
    assert console == [], console
    assert posts == [], posts


def test_the_train_panel_offers_exactly_the_settings(page):
    """The selects list the names of training/settings.py (read from GET /api/options), and the
    fields show its defaults, the epochs the page's own (PAGE_EPOCHS)."""

    def values(select):
        return page.eval_on_selector_all(f"{select} option", "os => os.map((o) => o.value)")

    page.wait_for_function("document.querySelectorAll('#net option').length > 2")
    assert values("#net") == ["continue", "mlp", *PRESETS, "custom"]
    assert values("#optimizer") == ["", *CHOICES["optimizer"]]  # "": the preset's
    assert values("#augment") == ["", *CHOICES["augment"]]
    assert page.input_value("#optimizer") == DEFAULTS["optimizer"]
    assert page.input_value("#augment") == DEFAULTS["augment"]
    assert page.input_value("#epochs") == str(PAGE_EPOCHS)
    assert float(page.input_value("#lr")) == DEFAULTS["lr"]
    assert int(page.input_value("#batch-size")) == DEFAULTS["batch_size"]
    assert page.input_value("#limit") == "60000"  # the training set's size
