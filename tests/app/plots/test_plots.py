"""Plots: `digitnet plot` and `train --plots` write real PNG pictures."""

import csv

import numpy as np
import pytest
from PIL import Image

import digitnet as dn
from digitnet.app import plots
from digitnet.app.cli import main
from digitnet.app.plots import figures as plot_figures
from digitnet.app.plots import training, weights
from digitnet.data.augment import AUGMENTATIONS
from digitnet.data.datasets import load_test_set
from digitnet.nn.metrics import confusion_matrix

PICTURES = {"curves.png", "confusion.png", "mistakes.png", "weights.png"}
RUN_PICTURES = {"activations.png", "gradients.png", "updates.png"}  # train --plots only


def train_tiny(idx_folder, model, *extra) -> int:
    """`digitnet train` for 2 quick epochs on the tiny IDX folder, plus `extra` flags."""
    argv = ["train", "--data", idx_folder, "--epochs", "2", "--quiet", "--batch-size", "16"]
    return main([str(a) for a in [*argv, "--out", model, *extra]])


def assert_pngs(folder, names):
    assert {p.name for p in folder.iterdir()} == names
    for name in names:
        with Image.open(folder / name) as image:
            assert image.format == "PNG" and image.width > 200 and image.height > 100


# What the pictures show: each figure is caught on its way to the PNG file (save_png) and its
# numbers are checked against the model's own predictions, weights and history.


def catch_figures(monkeypatch, save: bool = True) -> dict:
    """{file name: the matplotlib Figure written there}, for every picture saved from now on
    (with save=False, no PNG file is written)."""
    drawn = {}
    write = plot_figures.save_png

    def keep(fig, path):
        drawn[path.name] = fig
        return write(fig, path) if save else path

    for module in (plots, training, weights):  # each calls save_png by its own name
        monkeypatch.setattr(module, "save_png", keep)
    return drawn


@pytest.fixture
def figures(monkeypatch):
    return catch_figures(monkeypatch)


def read_history(path) -> dict[str, list[float]]:
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    return {name: [float(row[name]) for row in rows] for name in rows[0] if name != "epoch"}


def check_confusion(fig, model, X, y):
    """The numbers in the cells are confusion_matrix(predictions, labels): row = true digit."""
    (ax,) = fig.axes
    shown = np.full((10, 10), -1)
    for text in ax.texts:
        column, row = text.get_position()
        shown[row, column] = int(text.get_text())
    predicted = model.predict(X)
    counts = confusion_matrix(predicted, y)
    np.testing.assert_array_equal(shown, counts)
    np.testing.assert_allclose(ax.images[0].get_array(), np.log1p(counts))
    assert f"({len(y):,} test images, {np.mean(predicted == y):.2%} correct)" in ax.get_title()


def check_mistakes(fig, model, X, y, count=24):
    """Only wrong predictions, the most confident first, each with its true and said digit."""
    X = np.asarray(X).reshape(len(X), 784)
    index = {image.tobytes(): i for i, image in enumerate(X)}
    probs = model.predict_proba(X)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y)
    shown = []
    for ax in fig.axes:
        if ax.images:
            picture = np.ma.getdata(ax.images[0].get_array()).astype(X.dtype)
            i = index[picture.reshape(784).tobytes()]
            assert predicted[i] != y[i], i  # a mistake
            title = f"true {y[i]}\nsaid {predicted[i]} {probs[i, predicted[i]]:.0%}"
            assert ax.get_title() == title
            shown.append(i)
    assert len(shown) == len(set(shown)) == min(count, len(wrong))
    confidence = probs[shown, predicted[shown]]
    assert np.all(np.diff(confidence) <= 0)  # most confident first
    left_out = np.setdiff1d(wrong, shown)
    assert len(left_out) == 0 or probs[left_out, predicted[left_out]].max() <= confidence.min()
    assert fig.get_suptitle() == f"the {len(shown)} most confident mistakes (of {len(wrong)})"


def check_weights(fig, model):
    """The tiles are the first layer's weights, unscaled: weight_mosaic of its W."""
    W1 = next(layer for layer in model.layers if "W" in layer.params).params["W"]
    mosaic, _ = weights.weight_mosaic(W1)
    np.testing.assert_array_equal(np.ma.getdata(fig.axes[0].images[0].get_array()), mosaic)


def check_curves(fig, history, validation_name="test"):
    """One point per epoch: the history's loss and accuracy, train and validation."""
    for ax, metric in zip(fig.axes, ("loss", "accuracy")):
        lines = {line.get_label(): line for line in ax.get_lines()}
        assert set(lines) == {"train", validation_name}
        epochs = list(range(1, len(history[metric]) + 1))
        for label, column in (("train", metric), (validation_name, f"val_{metric}")):
            assert list(lines[label].get_xdata()) == epochs
            np.testing.assert_allclose(lines[label].get_ydata(), history[column])


def check_pictures(figures, model, X, y, history=None, validation_name="test"):
    assert set(figures) == PICTURES - (set() if history else {"curves.png"})
    check_confusion(figures["confusion.png"], model, X, y)
    check_mistakes(figures["mistakes.png"], model, X, y)
    check_weights(figures["weights.png"], model)
    if history:
        check_curves(figures["curves.png"], history, validation_name)


def test_pictures_show_the_models_numbers(tmp_path, monkeypatch):
    """An untrained network on random images: mistakes everywhere, more than 24 of them."""
    figures = catch_figures(monkeypatch, save=False)
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, (60, 784), dtype=np.uint8), rng.integers(0, 10, 60)
    history = {"loss": [0.5, 0.3, 0.2], "accuracy": [0.8, 0.9, 0.95]}
    history |= {"val_loss": [0.4, 0.35, 0.3], "val_accuracy": [0.85, 0.88, 0.9]}
    model = dn.MLP(seed=0)
    plots.write_plots(model, X, y, tmp_path, history, "validation")
    assert sum(model.predict(X) != y) > 24
    check_pictures(figures, model, X, y, history, "validation")


def test_plot_command_with_history(idx_folder, tmp_path, capsys, figures):
    model, history = tmp_path / "m.npz", tmp_path / "h.csv"
    assert train_tiny(idx_folder, model, "--history", str(history)) == 0
    assert not figures
    out = tmp_path / "pictures"
    assert (
        main(
            [
                "plot",
                str(model),
                "--history",
                str(history),
                "--data",
                str(idx_folder),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert_pngs(out, PICTURES | RUN_PICTURES)  # the run's, from h.histograms.npz beside h.csv
    assert "wrote" in capsys.readouterr().out
    check_pictures(
        figures, dn.load_model(model), *load_test_set(idx_folder), read_history(history)
    )


def test_plot_without_history_and_train_plots(idx_folder, tmp_path, capsys, figures):
    model, history = tmp_path / "m.npz", tmp_path / "h.csv"
    at_end = ["--plots", tmp_path / "at_end", "--history", history]
    assert train_tiny(idx_folder, model, *at_end) == 0
    assert_pngs(tmp_path / "at_end", PICTURES | RUN_PICTURES)
    X, y = load_test_set(idx_folder)
    check_pictures(figures, dn.load_model(model), X, y, read_history(history))
    figures.clear()
    assert (
        main(
            ["plot", str(model), "--data", str(idx_folder), "--out", str(tmp_path / "no_history")]
        )
        == 0
    )
    assert_pngs(tmp_path / "no_history", PICTURES - {"curves.png"})
    assert "no learning curves" in capsys.readouterr().out
    check_pictures(figures, dn.load_model(model), X, y)


def test_plot_needs_a_readable_history(idx_folder, tmp_path, capsys):
    model = tmp_path / "m.npz"
    main(["train", "--data", str(idx_folder), "--epochs", "1", "--quiet", "--out", str(model)])
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    assert main(["plot", str(model), "--history", str(tmp_path / "bad.csv")]) == 2
    assert "not a digitnet history" in capsys.readouterr().err


# What a person sees: every picture sharp enough, every weight tile there and big enough to
# read, one symmetric colour scale with a colour bar, labelled axes.


def saved_dpi(path) -> float:
    with Image.open(path) as image:
        return min(image.info.get("dpi", (0, 0)))


def random_first_layer(units: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 0.05, (784, units)).astype(np.float32)


def test_every_picture_is_saved_at_150_dpi_or_more(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, (60, 784), dtype=np.uint8), rng.integers(0, 10, 60)
    history = {"loss": [0.5, 0.3], "accuracy": [0.8, 0.9]}
    history |= {"val_loss": [0.4, 0.35], "val_accuracy": [0.85, 0.88]}
    written = plots.write_plots(dn.MLP(seed=0), X, y, tmp_path, history)
    written.append(training.plot_augmented(X[:3], AUGMENTATIONS["affine"], tmp_path / "aug.png"))
    assert len(written) == 5
    for path in written:
        assert saved_dpi(path) >= 150, path.name


def test_weights_picture_is_large_enough_to_see_each_unit(tmp_path):
    path = weights.plot_first_layer(random_first_layer(128), tmp_path / "weights.png")
    with Image.open(path) as image:
        width, height = image.size
    columns, rows = 16, 8  # 128 units
    assert width >= 1000 and width / (columns + 2) >= 40 and height / (rows + 1) >= 40


@pytest.mark.parametrize("units", [128, 800, 5])
def test_weight_mosaic_holds_every_unit_unscaled(units):
    W1 = random_first_layer(units)
    mosaic, columns = weights.weight_mosaic(W1)
    tiles = []
    for top in range(0, mosaic.shape[0], 29):
        for left in range(0, mosaic.shape[1], 29):
            tile = mosaic[top : top + 28, left : left + 28]
            if not np.isnan(tile).all():
                tiles.append(tile)
    assert len(tiles) == units and mosaic.shape[1] == columns * 29 - 1
    for unit, tile in enumerate(tiles):  # row by row, unit 0 at the top left
        np.testing.assert_array_equal(tile, W1[:, unit].reshape(28, 28))
    assert np.isnan(mosaic[28::29]).all() and np.isnan(mosaic[:, 28::29]).all()  # white gaps


def test_weights_use_one_symmetric_scale_with_a_colour_bar():
    W1 = random_first_layer(128)
    W1[0, 0] = 100.0  # one outlier must not wash out every other weight
    figure = weights.first_layer_figure(W1)
    image_axes, colour_bar_axes = figure.axes
    vmin, vmax = image_axes.images[0].get_clim()
    assert vmin == -vmax and 0.05 < vmax < 1.0
    assert image_axes.images[0].get_cmap().name.startswith("RdBu_r")
    assert "weight" in colour_bar_axes.get_ylabel()
    assert "all 128 hidden units" in image_axes.get_title()


@pytest.mark.parametrize("validation_name", ["test", "validation"])
def test_curves_have_labelled_axes_and_an_honest_legend(validation_name):
    history = {"loss": [0.5, 0.3], "accuracy": [0.8, 0.9]}
    history |= {"val_loss": [0.4, 0.35], "val_accuracy": [0.85, 0.88]}
    figure = training.curves_figure(history, validation_name)
    loss_axes, accuracy_axes = figure.axes
    assert loss_axes.get_xlabel() == accuracy_axes.get_xlabel() == "epoch"
    assert loss_axes.get_ylabel() == "cross-entropy loss"
    assert accuracy_axes.get_ylabel() == "accuracy"
    for axes in figure.axes:
        legend = [text.get_text() for text in axes.get_legend().get_texts()]
        assert legend == ["train", validation_name]
