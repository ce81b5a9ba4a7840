"""The page with a named set of ten classes, in a real browser (headless Chromium, driven by
Playwright), as a person sees it: every panel labels the classes by name, the number pad (for
digits only) is gone, and teaching names the class.

The set is MNIST's digits named "zero" ... "nine" in a classes.txt, so that a digit drawn with
the mouse is read as a word; a Fashion-style set checks that long names fit where they are shown.
Started as test_browser.py starts it, and skipped, or failed under DIGITNET_REQUIRE_BROWSER,
without Chromium or Playwright. The tests share one page and run in file order.
"""

import numpy as np
import pytest
from named_sets import FASHION, fashion_folder
from strokes import draw_on_pad
from test_browser import chromium_page, serving, wait_for_answer

import digitnet as dn
from digitnet.data.idx import write_idx

pytestmark = pytest.mark.slow  # headless Chromium

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@pytest.fixture(scope="module")
def words(tmp_path_factory):
    """MNIST in a folder whose classes.txt names the digits in words, and a network trained on
    it (its model file carries the names): (folder, model path)."""
    folder = tmp_path_factory.mktemp("words")
    (X, y), (Xt, yt) = dn.load_mnist(dtype="uint8")
    for split, images, labels in (("train", X[:12000], y[:12000]), ("t10k", Xt[:2000], yt[:2000])):
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", images.reshape(-1, 28, 28))
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels.astype(np.uint8))
    (folder / "classes.txt").write_text("\n".join(WORDS) + "\n")
    model = dn.MLP(seed=0, classes=WORDS)
    model.fit(X[:12000], y[:12000], epochs=3, optimizer=dn.Adam(lr=2e-3), verbose=0)
    model.save(folder / "words.npz")
    (folder / "saved").mkdir()  # where the page keeps taught.csv
    return folder, folder / "words.npz"


@pytest.fixture(scope="module")
def page(words):
    folder, model = words
    errors = []
    with serving(str(model), "--data", str(folder), "--save-dir", str(folder / "saved")) as url:
        with chromium_page(url, 1400, 1000, errors) as page:
            page.wait_for_selector("#net option", state="attached")  # the settings have come
            page.wait_for_function("document.querySelectorAll('#strip .read').length === 24")
            yield page
    assert not errors, f"the page's scripts failed: {errors}"


def texts(page, selector):
    """The text a person sees in each element matching `selector`."""
    return page.locator(selector).all_inner_texts()


def test_the_page_says_what_it_reads_and_hides_the_number_pad(page):
    note = page.locator("#classes-note")
    assert note.is_visible()
    assert note.inner_text().startswith("This network reads ten classes: zero, one, two, three")
    assert not page.locator("#number-panel").is_visible()
    assert page.locator("#status").inner_text() == "draw a picture"
    assert page.locator("#strip-panel h2").inner_text() == "Test images, read now"
    assert "the true class in brackets" in page.locator("#strip-panel .note").inner_text()
    assert page.locator("header p").first.inner_text().endswith("tell it the right class.")


def test_a_drawn_digit_is_read_by_its_name_on_the_bars(page):
    draw_on_pad(page, 3)
    answer = wait_for_answer(page)
    assert answer["class"] == "three"
    assert page.locator("#prediction").inner_text() == "three"
    assert texts(page, "#bars .bar .digit") == WORDS
    assert page.locator("#bars .bar.best .digit").inner_text() == "three"


def test_the_strip_and_the_confusion_matrix_are_labelled_by_name(page):
    assert texts(page, "#confusion thead th")[1:] == WORDS
    assert texts(page, "#confusion tbody th") == WORDS
    reads = texts(page, "#strip .read")
    right = page.locator("#strip .strip-digit.right .read").all_inner_texts()
    assert right and set(right) <= set(WORDS)
    assert all(read.split(" (")[0] in WORDS for read in reads)  # a mistake: "six (five)"


def test_teaching_names_the_class_on_its_buttons_and_in_its_answer(page):
    assert texts(page, "[data-teach]") == WORDS
    page.click("[data-teach='3']")
    page.wait_for_function("document.getElementById('teach-result').dataset.state === 'done'")
    line = page.locator(".teach-line").inner_text()
    assert line.startswith("taught three: before: three (")
    assert "(for digitnet train --data)" in page.locator("#teach-result").inner_text()
    assert page.locator("#teach-source").inner_text() == "teaches the drawing on this pad"


def overflowing(page, selector):
    """The elements matching `selector` whose text is wider than the box shown for it."""
    return page.eval_on_selector_all(
        selector, "cells => cells.filter((c) => c.scrollWidth > c.clientWidth + 1).length"
    )


def test_long_names_fit_where_they_are_shown(page, tmp_path):
    folder = fashion_folder(tmp_path / "fashion")
    errors = []
    with serving("--data", str(folder), "--save-dir", str(tmp_path)) as url:
        # a second page of the same browser: one Playwright at a time
        other = page.context.browser.new_page(viewport={"width": 1400, "height": 1000})
        other.on("pageerror", lambda error: errors.append(str(error)))
        other.goto(url)
        other.wait_for_selector("#net option", state="attached")
        draw_on_pad(other, 3)
        answer = wait_for_answer(other)
        assert other.locator("#prediction").inner_text() == FASHION.split(",")[answer["digit"]]
        assert texts(other, "[data-teach]") == FASHION.split(",")
        assert overflowing(other, "[data-teach]") == 0  # "T-shirt/top" wraps in its button
        assert overflowing(other, "#bars .bar .digit") == 0
        panel = other.locator("#verdict-panel").bounding_box()
        for part in ("#prediction", "#status", "#bars"):
            box = other.locator(part).bounding_box()
            inside = (
                panel["x"] <= box["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"]
            )
            assert inside, f"{part} spills out of the verdict panel"
        status = other.locator("#status").bounding_box()
        prediction = other.locator("#prediction").bounding_box()
        assert status["y"] >= prediction["y"] + prediction["height"] - 1  # under it, not over it
        other.close()
    assert not errors, f"the page's scripts failed: {errors}"
