"""Live training on the page, in headless Chromium (Debian's, driven by Playwright), as a person
would use it: choose the settings and start a short run from the page; watch the curves gain
points and the strip of test digits get read; pause, take one step, resume; draw a digit and teach
the network another label until it reads that; go back in time with the slider; save the model
and check that the file scores what the page says.

`digitnet serve` starts without a model file (an untrained network) in a temporary folder. The
tests run in file order and share one page: each picks up where the previous one left off.
Without Chromium or Playwright they are skipped, unless DIGITNET_REQUIRE_BROWSER is set.
"""

import json
import re
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from strokes import draw_on_pad
from test_browser import idle_train_page, serving, wait_for_answer

import digitnet as dn

pytestmark = pytest.mark.slow  # headless Chromium

# 3 epochs of all 60,000 images, 1,875 steps each: about 4 s here. Long enough to pause it from
# the page (which polls every 0.5 s); 3,000 images would be done in 0.3 s.
EPOCHS, LIMIT, BATCH = 3, 60000, 32
RUN_TIMEOUT_MS = 120_000
DRAWN, TAUGHT = 1, 7  # draw a 1, tell the network it is a 7 (or a 4, if it reads 7 already)
MAX_TEACH_CLICKS = 5


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`digitnet serve --port 0 --save-dir DIR` without a model, in a temporary folder."""
    folder = tmp_path_factory.mktemp("live")
    save_dir = folder / "saved"
    save_dir.mkdir()
    with serving("--save-dir", str(save_dir), cwd=folder) as url:
        yield {"url": url, "save_dir": save_dir}


@pytest.fixture(scope="module")
def page(server):
    with idle_train_page(server["url"]) as page:
        yield page


def api(server, path):
    """GET a JSON endpoint of the server (what the page reads, to compare with what it shows)."""
    with urllib.request.urlopen(server["url"].rstrip("/") + path, timeout=10) as answer:
        return json.load(answer)


def shown_step(page):
    """The step number the page shows in #train-progress ("..., step 812, ...")."""
    match = re.search(r"step ([\d,]+)", page.text_content("#train-progress"))
    return int(match.group(1).replace(",", "")) if match else 0


def shown_test_accuracy(page):
    """The current test accuracy the page shows in #train-progress ("test 96.13%"), in %."""
    match = re.search(r"test (\d+(?:\.\d+)?)%", page.text_content("#train-progress"))
    assert match, page.text_content("#train-progress")
    return float(match.group(1))


def curve_points(page):
    return int(page.get_attribute("#curves", "data-points"))


def wait_state(page, state, timeout=15_000):
    """Wait until #train-state reads `state` (it holds the state word and nothing else)."""
    page.wait_for_function(
        "(state) => document.getElementById('train-state').textContent === state",
        arg=state,
        timeout=timeout,
    )


def strip(page):
    return page.eval_on_selector_all(
        "#strip .strip-digit",
        """cells => cells.map((cell) => ({label: Number(cell.dataset.label),
            prediction: Number(cell.dataset.prediction), right: cell.classList.contains("right"),
            wrong: cell.classList.contains("wrong"), text: cell.textContent,
            width: cell.querySelector("canvas").getBoundingClientRect().width}))""",
    )


def confusion(page):
    """The confusion matrix as shown: 10 rows of 10 counts, and its caption."""
    counts = page.eval_on_selector_all(
        "#confusion tbody tr",
        "rows => rows.map((r) => [...r.cells].slice(1).map((c) => Number(c.textContent)))",
    )
    return counts, page.text_content("#confusion caption")


def test_a_short_run_from_the_page(page, server):
    page.wait_for_selector("#strip .strip-digit[data-prediction]")
    before = strip(page)  # the untrained network's reading of the 24 test digits
    assert len(before) == 24 and page.text_content("#train-state") == "idle"
    assert page.is_disabled("#train-pause") and page.is_enabled("#train-start")

    page.select_option("#net", "mlp")
    page.select_option("#optimizer", "adam")
    page.fill("#lr", "0.001")
    page.fill("#batch-size", str(BATCH))
    page.fill("#epochs", str(EPOCHS))
    page.fill("#limit", str(LIMIT))
    page.click("#train-start")
    wait_state(page, "running")
    assert page.is_enabled("#train-pause") and page.is_disabled("#train-start")

    # the curves gain points as it learns
    page.wait_for_function("Number(document.getElementById('curves').dataset.points) > 0")
    first = curve_points(page)
    page.wait_for_function(
        "(n) => Number(document.getElementById('curves').dataset.points) > n", arg=first
    )

    # pause: the state says so, and the step stays where it is
    page.click("#train-pause")
    wait_state(page, "paused")
    assert page.is_enabled("#train-resume") and page.is_enabled("#train-step")
    assert page.is_disabled("#train-pause")
    page.wait_for_timeout(300)  # the pause takes effect after the current step
    step = api(server, "/api/train")["step"]
    page.wait_for_function(
        "(s) => document.getElementById('train-progress').textContent"
        ".includes(`step ${s.toLocaleString('en-US')}`)",
        arg=step,
    )
    page.wait_for_timeout(1500)  # three polls: nothing moves
    assert shown_step(page) == step == api(server, "/api/train")["step"]
    assert page.text_content("#train-state") == "paused"

    # one step, and paused again
    page.click("#train-step")
    page.wait_for_function(
        "(s) => /step ([\\d,]+)/.exec(document.getElementById('train-progress').textContent)"
        "?.[1].replace(/,/g, '') == s + 1",
        arg=step,
    )
    page.wait_for_timeout(1000)
    assert shown_step(page) == step + 1 == api(server, "/api/train")["step"]
    wait_state(page, "paused")

    # resume, and on to the end
    page.click("#train-resume")
    wait_state(page, "running")
    wait_state(page, "done", timeout=RUN_TIMEOUT_MS)
    train = api(server, "/api/train")
    assert train["epoch"] == EPOCHS and len(train["history"]) == EPOCHS
    assert page.text_content("#train-progress").startswith(f"{EPOCHS} of {EPOCHS} epochs")
    page.wait_for_function(
        "(n) => Number(document.getElementById('curves').dataset.points) === n",
        arg=len(train["batches"]),
    )
    assert curve_points(page) > first
    assert page.get_attribute("#curves", "data-test-points") == str(EPOCHS)  # a dot an epoch
    assert page.is_hidden("#train-error")

    # the strip: the same 24 test digits, now read mostly right, marked green or red
    after = strip(page)
    assert [cell["label"] for cell in after] == [cell["label"] for cell in before]
    assert [cell["prediction"] for cell in after] != [cell["prediction"] for cell in before]
    assert sum(cell["right"] for cell in after) >= 18
    for cell in after:
        assert cell["right"] == (cell["label"] == cell["prediction"]) != cell["wrong"]
        assert cell["text"].startswith(str(cell["prediction"]))
        assert cell["width"] >= 30


def test_the_run_s_histograms_and_update_ratios_are_drawn(page, server):
    """After the run: a histogram picture per activation layer and per weight, each a column per
    sample, shown at a readable size, and the update ratios drawn against their guide line."""
    page.wait_for_selector("#histograms-panel:not([hidden])")
    view = api(server, "/api/view")["histograms"]
    samples = len(view["steps"])
    assert samples > 10
    activations = page.query_selector_all("#activation-histograms canvas")
    gradients = page.query_selector_all("#gradient-histograms canvas")
    assert len(activations) == 2 and len(gradients) == 3  # 2 ReLU layers, 3 dense layers
    for canvas in activations + gradients:
        assert int(canvas.get_attribute("data-samples")) == samples
        box = canvas.bounding_box()
        assert box["width"] == 180 and box["height"] == 100
    captions = page.eval_on_selector_all(
        "#gradient-histograms figcaption", "fs => fs.map(f => f.textContent)"
    )
    assert captions == ["layer 0 dense", "layer 2 dense", "layer 4 dense"]
    ratios = page.query_selector("#update-ratios")
    assert int(ratios.get_attribute("data-samples")) == len(view["ratio_steps"]) > 10
    assert ratios.bounding_box()["height"] == 180 and ratios.bounding_box()["width"] > 300
    values = view["ratios"][0]["values"]
    assert 1e-6 < float(np.median(values)) < 1e-1  # Adam's steps, around the 1e-3 guide


def test_the_page_is_laid_out_readably(page, server, tmp_path):
    """At 1280 px wide: nothing sticks out sideways, the curves are big enough to read, every
    view has its content, and the curves are really drawn (coloured pixels on the screen)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    curves = page.locator("#curves").bounding_box()
    assert curves["width"] > 300 and curves["height"] > 150
    assert page.locator("#strip .strip-digit").count() == 24
    assert page.locator("#confusion tbody td").count() == 100
    filters = api(server, "/api/view")["filters"]
    assert page.locator("#filters canvas").count() == filters["count"]
    layers = api(server, "/api/view")["layers"]
    rows = page.eval_on_selector_all(
        "#layer-stats tbody tr", "rows => rows.map((r) => [...r.cells].map((c) => c.textContent))"
    )
    assert [row[0] for row in rows] == [layer["name"] for layer in layers]
    assert all(re.fullmatch(r"\d+(\.\d+)?%|\u2013", row[3]) for row in rows)
    page.screenshot(path=tmp_path / "page.png", full_page=True)
    from PIL import Image

    with Image.open(tmp_path / "page.png") as shot:
        corners = (curves["x"], curves["y"], curves["x"] + curves["width"])
        region = np.asarray(shot.convert("RGB").crop((*corners, curves["y"] + curves["height"])))
    red, green, blue = (region[..., i].astype(int) for i in range(3))
    assert ((blue - red > 80) & (blue - green > 40)).sum() > 200  # the blue loss line and dots
    assert ((green - red > 60) & (green - blue > 30)).sum() > 200  # the green accuracy ones


def test_teaching_a_drawing_changes_what_the_network_reads(page):
    page.click("#clear")
    draw_on_pad(page, DRAWN)
    first = wait_for_answer(page)["digit"]
    assert page.text_content("#prediction") == str(first)
    saliency = page.evaluate("window.lastResult.saliency")
    assert len(saliency) == 28 and all(len(row) == 28 for row in saliency)
    label = TAUGHT if first != TAUGHT else 4
    clicks = 0
    while clicks < MAX_TEACH_CLICKS:
        clicks += 1
        page.click(f"[data-teach='{label}']")
        page.wait_for_function(
            "document.getElementById('teach-result').dataset.state !== 'teaching'",
            timeout=30_000,
        )
        assert page.get_attribute("#teach-result", "data-state") == "done", page.text_content(
            "#teach-result"
        )
        answer = wait_for_answer(page)
        text = page.text_content("#teach-result")
        match = re.search(r"before: (\d) \((\d+)%\), after: (\d) \((\d+)%\)", text)
        assert match, text
        assert re.search(r"test accuracy \d+\.\d+% \u2192 \d+\.\d+%", text), text
        if answer["digit"] == label:
            break
    print(f"teaching a drawn {DRAWN} (read as {first}) that it is a {label}: {clicks} click(s)")
    assert page.text_content("#prediction") == str(label) != str(first)
    assert int(match.group(3)) == label  # "after" is the taught label


def test_the_time_slider_shows_past_epochs(page, server):
    snapshots = api(server, "/api/snapshots")["snapshots"]
    assert [s["epoch"] for s in snapshots] == list(range(EPOCHS + 1))
    now_counts, now_caption = confusion(page)
    assert page.text_content("#time-label") == "now" and now_caption.startswith("the network now")

    page.focus("#time-slider")
    page.keyboard.press("Home")  # epoch 0: the untrained network
    page.wait_for_function("document.body.dataset.time === '0'")
    start = snapshots[0]
    assert page.text_content("#time-label") == f"epoch 0 (test {start['test_accuracy']:.1%})"
    counts, caption = confusion(page)
    assert caption != now_caption and "epoch 0" in caption
    assert np.trace(counts) < np.trace(now_counts)  # it read fewer right before training
    page.keyboard.press("ArrowRight")  # epoch 1
    page.wait_for_function("document.body.dataset.time === '1'")
    one = api(server, "/api/snapshot/1")
    assert page.text_content("#time-label") == f"epoch 1 (test {one['test_accuracy']:.1%})"
    assert confusion(page)[0] == one["confusion"]
    # the drawing is read with that epoch's network
    page.wait_for_function("window.lastResult && window.lastResult.epoch === 1")
    assert "epoch 1" in page.text_content("#status")

    page.keyboard.press("End")  # back to now
    page.wait_for_function("document.body.dataset.time === 'now'")
    assert page.text_content("#time-label") == "now"
    page.wait_for_function("window.lastResult && window.lastResult.epoch === null")
    assert confusion(page)[1].startswith("the network now")


def test_saving_keeps_what_the_page_shows(page, server):
    page.click("#save-model")
    page.wait_for_function("document.getElementById('save-result').textContent.includes('saved')")
    path = Path(page.text_content("#save-result code"))
    assert path.is_absolute() and path.parent == server["save_dir"].resolve()
    assert path.name == "my-model.npz" and path.exists()
    link = page.locator("#save-result a[download]")
    with urllib.request.urlopen(server["url"].rstrip("/") + link.get_attribute("href")) as file:
        assert file.read() == path.read_bytes()

    # the file scores what the server and the page say the current network scores
    _, (X_test, y_test) = dn.load_mnist()
    scored = dn.load_model(path).evaluate(X_test, y_test)["accuracy"]
    reported = api(server, "/api/train")["test_accuracy"]
    assert scored == pytest.approx(reported, abs=1e-4)
    page.wait_for_function(
        "(text) => document.getElementById('train-progress').textContent.includes(text)",
        arg=f"test {reported:.2%}",
        timeout=10_000,
    )
    assert shown_test_accuracy(page) == pytest.approx(scored * 100, abs=0.051)
    assert page.is_hidden("#train-error")
