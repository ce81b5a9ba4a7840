"""Plots of a convolutional network: each conv layer's filters (filters-1.png, ...), the feature
maps of the first test image (feature_maps.png), and the pictures every network gets."""

import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image
from test_plots import catch_figures, check_confusion, check_curves, check_mistakes, saved_dpi

import digitnet as dn
from digitnet.app import plots
from digitnet.app.cli import main
from digitnet.app.plots import figures as plot_figures
from digitnet.app.plots import weights
from digitnet.data.datasets import load_test_set
from digitnet.nn.inputs import as_input
from digitnet.nn.losses import softmax

CNN_PICTURES = {"confusion.png", "mistakes.png", "filters-1.png", "filters-2.png"}
CNN_PICTURES |= {"feature_maps.png"}


def tiny_cnn(seed: int = 0) -> dn.Sequential:
    """Two conv layers (4 filters 5x5 on the image, then 6 filters 3x3 on those 4 maps)."""
    layers = [
        dn.Conv2D(1, 4, 5, padding=2),
        dn.ReLU(),
        dn.MaxPool2D(2),
        dn.Conv2D(4, 6, 3, padding=1),
        dn.ReLU(),
        dn.MaxPool2D(2),
        dn.Flatten(),
        dn.Dense(6 * 7 * 7, 10, init="glorot"),
    ]
    return dn.Sequential(layers, input_shape=(1, 28, 28), seed=seed)


def random_images(n: int = 60, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 784), dtype=np.uint8), rng.integers(0, 10, n)


def image_of(axes) -> np.ndarray:
    return np.ma.getdata(axes.images[0].get_array())


def check_filters(fig, conv, number):
    """The tiles are the conv layer's kernels, unscaled, on one symmetric colour scale, with a
    colour bar that does not overlap them."""
    image_axes, bar_axes = fig.axes
    np.testing.assert_array_equal(image_of(image_axes), weights.filter_mosaic(conv.params["W"]))
    vmin, vmax = image_axes.images[0].get_clim()
    assert vmin == -vmax > -np.abs(conv.params["W"]).max() - 1e-6
    assert image_axes.images[0].get_cmap().name.startswith("RdBu_r")
    assert "weight" in bar_axes.get_xlabel() + bar_axes.get_ylabel()
    image_box, bar_box = image_axes.get_position(), bar_axes.get_position()
    assert bar_box.y1 < image_box.y0 or bar_box.x0 > image_box.x1  # under it or beside it
    title = image_axes.get_title()
    C_out, C_in, k, _ = conv.params["W"].shape
    assert title.startswith(f"conv layer {number}: all {C_out} filters")
    assert (f"x {C_in} input channels" in title) == (C_in > 1) and f"{k}x{k} tile" in title


def check_feature_maps(fig, model, X, y):
    """The first test image, then per conv layer a mosaic of its feature maps for that image,
    each with a title that names the layer and the maps' shape, none overlapping the next."""
    x, outputs = as_input(X[:1], model.dtype).reshape(1, 1, 28, 28), []
    probs = softmax(model.forward(x, activations=outputs))
    maps = [output[0] for output in outputs if output.ndim == 4]
    assert len(fig.axes) == 1 + len(maps) == 3
    np.testing.assert_array_equal(image_of(fig.axes[0]), x[0, 0])
    digit = probs[0].argmax()
    said = f"test image 0, a {y[0]}: the network says {digit} ({probs[0, digit]:.0%})"
    assert fig.axes[0].get_title(loc="left").startswith(said)
    for number, (axes, layer_maps) in enumerate(zip(fig.axes[1:], maps), 1):
        C, H, W = layer_maps.shape
        np.testing.assert_allclose(image_of(axes), plot_figures.tile_mosaic(layer_maps, min(C, 8)))
        assert axes.images[0].get_clim() == (0, pytest.approx(layer_maps.max()))
        title = axes.get_title(loc="left")
        assert title.startswith(f"conv layer {number} -> relu: {C} feature maps of {H}x{W}")
    fig.draw_without_rendering()
    for upper, lower in zip(fig.axes, fig.axes[1:]):  # each title between two pictures
        title = left_title(lower).get_window_extent()
        assert upper.get_window_extent().y0 > title.y1 > title.y0 > lower.get_window_extent().y1


def left_title(axes) -> Text:
    text = axes.get_title(loc="left")
    (title,) = [t for t in axes.get_children() if isinstance(t, Text) and t.get_text() == text]
    return title


def test_a_cnn_gets_filters_and_feature_maps_instead_of_weights(tmp_path, monkeypatch):
    figures = catch_figures(monkeypatch)
    X, y = random_images()
    history = {"loss": [0.5, 0.3], "accuracy": [0.8, 0.9]}
    history |= {"val_loss": [0.4, 0.35], "val_accuracy": [0.85, 0.88]}
    model = tiny_cnn()
    written = plots.write_plots(model, X, y, tmp_path, history)
    assert {path.name for path in written} == set(figures) == CNN_PICTURES | {"curves.png"}
    for path in written:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width > 300 and image.height > 150, path
        assert saved_dpi(path) >= 150
    check_confusion(figures["confusion.png"], model, X, y)
    check_mistakes(figures["mistakes.png"], model, X, y)
    check_curves(figures["curves.png"], history)
    convs = [layer for layer in model.layers if isinstance(layer, dn.Conv2D)]
    check_filters(figures["filters-1.png"], convs[0], 1)
    check_filters(figures["filters-2.png"], convs[1], 2)
    check_feature_maps(figures["feature_maps.png"], model, X, y)


def test_images_given_as_n_1_28_28_draw_the_same_pictures(tmp_path, monkeypatch):
    figures = catch_figures(monkeypatch, save=False)
    X, y = random_images(30)
    model = tiny_cnn()
    plots.write_plots(model, X.reshape(-1, 1, 28, 28), y, tmp_path)
    check_mistakes(figures["mistakes.png"], model, X, y)
    check_feature_maps(figures["feature_maps.png"], model, X, y)


def test_a_dense_first_layer_on_image_input_still_gets_weights_png(tmp_path, monkeypatch):
    figures = catch_figures(monkeypatch, save=False)
    X, y = random_images(30)
    layers = [dn.Flatten(), dn.Dense(784, 12), dn.ReLU(), dn.Dense(12, 10)]
    model = dn.Sequential(layers, input_shape=(1, 28, 28), seed=0)
    plots.write_plots(model, X, y, tmp_path)
    assert set(figures) == {"confusion.png", "mistakes.png", "weights.png"}
    mosaic, _ = weights.weight_mosaic(model.layers[1].params["W"])
    np.testing.assert_array_equal(image_of(figures["weights.png"].axes[0]), mosaic)


def test_filter_mosaic_of_one_input_channel_puts_8_filters_to_a_row():
    W = np.random.default_rng(0).normal(size=(11, 1, 5, 5))
    mosaic = weights.filter_mosaic(W)
    assert mosaic.shape == (2 * 6 - 1, 8 * 6 - 1)  # 11 filters: 8, then 3; 1-pixel gaps
    assert mosaic[8, 9] == W[9, 0, 2, 3]  # filter 9: row 1, column 1 -> top 6, left 6
    for f in range(11):
        top, left = (f // 8) * 6, (f % 8) * 6
        np.testing.assert_array_equal(mosaic[top : top + 5, left : left + 5], W[f, 0])
    assert np.count_nonzero(~np.isnan(mosaic)) == 11 * 25  # the rest is white gap


def test_filter_mosaic_of_several_input_channels_has_a_row_per_filter():
    W = np.arange(4 * 3 * 3 * 3, dtype=float).reshape(4, 3, 3, 3)  # (C_out, C_in, k, k)
    mosaic = weights.filter_mosaic(W)
    assert mosaic.shape == (4 * 4 - 1, 3 * 4 - 1)
    assert mosaic[2 * 4 + 0, 1 * 4 + 2] == W[2, 1, 0, 2]  # filter 2, input channel 1
    for o in range(4):
        for c in range(3):
            tile = mosaic[o * 4 : o * 4 + 3, c * 4 : c * 4 + 3]
            np.testing.assert_array_equal(tile, W[o, c])
    assert np.isnan(mosaic[3::4]).all() and np.isnan(mosaic[:, 3::4]).all()


def test_plot_command_on_a_cnn_model_file(idx_folder, tmp_path, capsys):
    path, out = tmp_path / "cnn.npz", tmp_path / "pictures"
    model = tiny_cnn()
    X, y = load_test_set(idx_folder)
    model.fit(X[:50], y[:50], epochs=1, verbose=0)
    model.save(path)
    assert main(["plot", str(path), "--data", str(idx_folder), "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == CNN_PICTURES
    printed = capsys.readouterr().out
    assert "filters-2.png" in printed and "feature_maps.png" in printed
