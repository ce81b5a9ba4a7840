"""The drawing page with a convolutional network, in headless Chromium: under "Hidden layers",
each conv layer's feature maps for the drawing, a grid of small grey canvases per layer.

Started as test_browser.py starts it (`digitnet serve`, Playwright, Debian's Chromium), and
skipped, or failed under DIGITNET_REQUIRE_BROWSER, when they are missing.
"""

import numpy as np
import pytest
from PIL import Image
from strokes import draw_on_pad
from test_browser import chromium_page, serving, wait_for_answer

import digitnet as dn

pytestmark = pytest.mark.slow  # headless Chromium

CHANNELS = (4, 8)


@pytest.fixture(scope="module")
def cnn_model(tmp_path_factory):
    """A small conv network, trained a little on 256 MNIST images (it need not be good)."""
    first, second = CHANNELS
    layers = [
        dn.Conv2D(1, first, 5, padding=2),
        dn.ReLU(),
        dn.MaxPool2D(2),
        dn.Conv2D(first, second, 3, padding=1),
        dn.ReLU(),
        dn.MaxPool2D(2),
        dn.Flatten(),
        dn.Dense(second * 7 * 7, 32),
        dn.ReLU(),
        dn.Dense(32, 10, init="glorot"),
    ]
    model = dn.Sequential(layers, input_shape=(1, 28, 28), seed=0)
    (X, y), _ = dn.load_mnist(dtype="uint8")
    model.fit(X[:256], y[:256], epochs=1, optimizer=dn.Adam(lr=2e-3), verbose=0)
    path = tmp_path_factory.mktemp("cnn") / "cnn.npz"
    model.save(path)
    return path


@pytest.fixture(scope="module")
def page(cnn_model):
    with serving(str(cnn_model)) as url, chromium_page(url, 1100, 700) as page:
        yield page


def shown_maps(page):
    """Per .maps grid: the label before it, and per canvas its size on screen, its size in
    pixels and its grey levels (the red channel) as drawn."""
    return page.evaluate(
        """() => [...document.querySelectorAll("#activations .maps")].map((grid) => ({
        label: grid.previousElementSibling.textContent,
        maps: [...grid.querySelectorAll("canvas")].map((canvas) => {
            const box = canvas.getBoundingClientRect();
            const data = canvas.getContext("2d")
                .getImageData(0, 0, canvas.width, canvas.height).data;
            return { width: box.width, height: box.height, left: box.left, top: box.top,
                     pixels: [canvas.height, canvas.width],
                     grey: Array.from(data.filter((_, i) => i % 4 === 0)) };
        }),
    }))"""
    )


def test_each_conv_layer_shows_its_feature_maps(page, tmp_path):
    page.click("#clear")
    draw_on_pad(page, 3)
    answer = wait_for_answer(page)
    sent = [np.asarray(layer) for layer in answer["activations"]]
    assert [layer.shape for layer in sent] == [(4, 28, 28), (8, 14, 14), (32,)]
    grids = shown_maps(page)
    assert len(grids) == 2  # one grid per conv layer
    for number, (grid, maps) in enumerate(zip(grids, sent[:2]), 1):
        C, H, W = maps.shape
        assert grid["label"] == f"layer {number}: {C} feature maps, {H}\u00d7{W}"
        assert len(grid["maps"]) == C
        top = maps.max()
        for canvas, values in zip(grid["maps"], maps):
            assert canvas["pixels"] == [H, W]
            assert 30 <= canvas["width"] <= 60  # small, but big enough to see
            assert canvas["height"] == pytest.approx(canvas["width"] * H / W, abs=1)
            expected = np.round(255 * np.maximum(values, 0) / top).ravel()
            np.testing.assert_allclose(canvas["grey"], expected, atol=1)  # black 0, white top
        assert max(max(canvas["grey"]) for canvas in grid["maps"]) == 255
        rows = {canvas["top"] for canvas in grid["maps"]}
        assert len(rows) == -(-C // 8)  # 8 maps to a row
    # the dense hidden layer is drawn as before: a label and one canvas of squares
    assert page.locator("#activations > canvas").count() == 1
    labels = page.locator("#activations > .note").all_text_contents()
    assert labels[-1] == "layer 3: 32 units"
    # and a person sees them: the screenshot of the first grid has dark and bright pixels
    page.screenshot(path=tmp_path / "page.png", full_page=True)
    box = page.locator("#activations .maps").first.bounding_box()
    corners = (box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"])
    with Image.open(tmp_path / "page.png") as shot:
        region = np.asarray(shot.convert("L").crop(corners))
    assert region.min() < 40 and region.max() > 200


def test_clear_removes_the_feature_maps(page):
    page.click("#clear")
    assert page.locator("#activations .maps").count() == 0
    assert page.locator("#activations canvas").count() == 0
