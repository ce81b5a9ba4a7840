"""The number pad in a real browser (headless Chromium, driven by Playwright), as a person uses
it: write "171" with the mouse on the wide pad, see the number, a box drawn over each digit and
a column per digit; wipe it; see why a writing is not read; select a digit and teach it.

Started as test_browser.py starts it (`digitnet serve` with the tests' trained model), and
skipped, or failed under DIGITNET_REQUIRE_BROWSER, without Chromium or Playwright. The tests
share one page and run in file order: the last one teaches the network.
"""

import json

import pytest
from test_browser import chromium_page, serving

pytestmark = pytest.mark.slow  # headless Chromium

# Strokes as (x, y) shares of the pad, digits well apart: a 1 as a vertical line, a 7 as a bar
# and a slanted line (what the tests' network reads right, with probability 0.97 or more).
ONE_SEVEN_ONE = [
    [(0.12, 0.15), (0.12, 0.85)],
    [(0.30, 0.20), (0.45, 0.20), (0.35, 0.85)],
    [(0.70, 0.15), (0.70, 0.85)],
]
TWO_LINES = [[(0.10, 0.08), (0.10, 0.38)], [(0.10, 0.62), (0.10, 0.92)]]


@pytest.fixture(scope="module")
def page_url(mnist_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("number")  # where teaching keeps taught.csv
    with serving(str(mnist_model), "--save-dir", str(folder)) as url:
        yield url


@pytest.fixture(scope="module")
def page(page_url):
    errors = []
    with chromium_page(page_url, 1280, 1000, errors) as page:
        page.wait_for_selector("#net option", state="attached")  # the settings have come
        yield page
    assert not errors, f"the page's scripts failed: {errors}"


@pytest.fixture
def answers(page):
    """The answers of POST /api/read-number the page gets, as they arrive."""
    seen = []

    def keep(response):
        if response.url.endswith("/api/read-number") and response.ok:
            seen.append(response.json())

    page.on("response", keep)
    yield seen
    page.remove_listener("response", keep)


def write(page, strokes):
    """Clear the number pad and write `strokes` on it with the mouse; wait for the reading."""
    page.click("#number-clear")
    box = page.locator("#number-pad").bounding_box()
    for stroke in strokes:
        page.mouse.move(
            box["x"] + box["width"] * stroke[0][0], box["y"] + box["height"] * stroke[0][1]
        )
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + box["width"] * x, box["y"] + box["height"] * y, steps=10)
        page.mouse.up()
    page.wait_for_function(
        "['read', 'refused'].includes(document.getElementById('number-panel').dataset.state)",
        timeout=15000,
    )


def rendered(page, selector):
    """The element's box on the screen (x, y, width, height in CSS pixels)."""
    return page.locator(selector).bounding_box()


def test_a_number_written_with_the_mouse_is_read_boxed_and_shown_per_digit(page, answers):
    write(page, ONE_SEVEN_ONE)
    assert page.text_content("#number-reading") == "171"
    assert page.text_content("#number-status").endswith("sure")
    assert page.get_attribute("#number-panel", "data-state") == "read"
    answer = answers[-1]
    assert answer["number"] == "171" and len(answer["digits"]) == 3

    # one box per digit, drawn on an overlay as large as the pad and lying on it
    assert page.get_attribute("#number-boxes", "data-boxes") == "3"
    assert rendered(page, "#number-boxes") == rendered(page, "#number-pad")
    drawn = page.evaluate(
        """(boxes) => {
        const overlay = document.getElementById("number-boxes");
        const ctx = overlay.getContext("2d");
        const [sx, sy] = [overlay.width / 420, overlay.height / 140];  // the sent picture's size
        // opaque pixels just left of each box's left edge, at its middle height
        return boxes.map(([x, y, w, h]) => {
            const pixels = ctx.getImageData(Math.max(0, x * sx - 8), (y + h / 2) * sy, 10, 1).data;
            return pixels.filter((value, i) => i % 4 === 3 && value > 0).length;
        });
    }""",
        [d["box"] for d in answer["digits"]],
    )
    assert all(count > 0 for count in drawn), drawn
    # the ink itself is untouched: only greys (white pen on black) on the pad
    coloured = page.evaluate(
        """() => {
        const pad = document.getElementById("number-pad");
        const data = pad.getContext("2d").getImageData(0, 0, pad.width, pad.height).data;
        let count = 0;
        for (let i = 0; i < data.length; i += 4) {
            if (data[i] !== data[i + 1] || data[i + 1] !== data[i + 2]) count++;
        }
        return count;
    }"""
    )
    assert coloured == 0

    # a column per digit, left to right: its 28x28 input and its ten bars, the digit's the best
    columns = page.locator("#number-digits > .number-digit")
    assert columns.count() == 3
    for index, digit in enumerate("171"):
        column = columns.nth(index)
        assert column.get_attribute("data-index") == str(index)
        assert column.get_attribute("data-digit") == digit
        size = column.bounding_box()
        assert size["width"] > 0 and size["height"] > 0
        picture = column.locator("canvas").bounding_box()
        assert picture["width"] >= 84 and picture["height"] == picture["width"]
        assert column.locator(".bar").count() == 10
        assert column.locator(".bar.best .digit").text_content() == digit
    lefts = [columns.nth(i).bounding_box()["x"] for i in range(3)]
    assert lefts == sorted(lefts)


def test_clear_wipes_the_number_its_boxes_and_its_digits(page):
    write(page, ONE_SEVEN_ONE)
    page.click("#number-clear")
    assert page.text_content("#number-reading") == "?"
    assert page.text_content("#number-status") == "write a number"
    assert page.get_attribute("#number-boxes", "data-boxes") == "0"
    assert page.locator("#number-digits > *").count() == 0
    assert page.get_attribute("#number-panel", "data-state") == "empty"


def test_a_lone_dot_asks_to_keep_writing(page):
    page.click("#number-clear")
    box = rendered(page, "#number-pad")
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("document.getElementById('number-panel').dataset.state === 'writing'")
    assert page.text_content("#number-status") == "keep writing"
    assert page.text_content("#number-reading") == "?"


def test_two_lines_of_writing_show_the_servers_reason_on_the_panel(page):
    write(page, TWO_LINES)
    assert page.get_attribute("#number-panel", "data-state") == "refused"
    assert "line" in page.text_content("#number-status")
    assert page.text_content("#number-reading") == "?"
    assert page.get_attribute("#number-boxes", "data-boxes") == "0"
    assert page.locator("#number-digits > *").count() == 0


def test_an_unsure_digit_is_greyed_and_says_not_sure(page):
    """A digit under UNSURE_BELOW: its two best guesses, as verdict.js says them."""
    unsure = [0.0, 0.01, 0.01, 0.01, 0.55, 0.01, 0.0, 0.01, 0.0, 0.40]

    def doubtful(route):
        answer = route.fetch().json()  # the server's real answer, the 7's doubt added
        if answer.get("number") == "171":  # not a reading of the first strokes alone
            answer["digits"][1].update(digit=4, probabilities=unsure, confidence=0.55, sure=False)
            answer.update(number="141", sure=False)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer))

    page.route("**/api/read-number", doubtful)
    try:
        write(page, ONE_SEVEN_ONE)
        assert page.text_content("#number-reading") == "141"
        assert page.text_content("#number-status") == "digit 2 not sure: 4 (55.0%) or 9 (40.0%)"
        assert page.locator("#number-reading span.unsure").all_text_contents() == ["4"]
        assert page.text_content(".number-digit[data-index='1'] .number-sure") == (
            "not sure: 4 (55.0%) or 9 (40.0%)"
        )
    finally:
        page.unroute("**/api/read-number", doubtful)


def test_a_selected_digit_of_the_number_is_what_teaching_teaches(page):
    """Clicking a digit's column selects it: the page says the digit will be taught, and
    "It is a:" sends its 28x28 input ("field"), not the square pad's drawing."""
    write(page, ONE_SEVEN_ONE)
    assert page.get_attribute("#teach-source", "data-source") == "pad"
    page.click(".number-digit[data-index='1']")
    assert page.get_attribute(".number-digit[data-index='1']", "aria-pressed") == "true"
    assert page.get_attribute("#teach-source", "data-source") == "number"
    assert "digit 2 of the number (read as 7)" in page.text_content("#teach-source")
    with page.expect_request("**/api/teach") as sent:
        page.click("[data-teach='7']")
    body = json.loads(sent.value.post_data)
    assert set(body) == {"field", "label"} and body["label"] == 7
    assert len(body["field"]) == 28 and all(len(row) == 28 for row in body["field"])
    page.wait_for_function(
        "document.getElementById('teach-result').dataset.state !== 'teaching'", timeout=60000
    )
    assert page.get_attribute("#teach-result", "data-state") == "done"
    assert page.text_content("#teach-result").startswith("taught 7: before: 7")
    page.wait_for_function(
        "document.getElementById('number-panel').dataset.state === 'read'", timeout=15000
    )
    assert page.text_content("#number-reading") == "171"  # read again, with the taught network
    assert page.get_attribute(".number-digit[data-index='1']", "aria-pressed") == "true"
    page.click(".number-digit[data-index='1']")  # again: back to the square pad's drawing
    assert page.get_attribute("#teach-source", "data-source") == "pad"
