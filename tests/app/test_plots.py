"""Plots: `digitnet plot` and `train --plots` write real PNG pictures."""

import numpy as np
import pytest
from PIL import Image

import digitnet as dn
from digitnet.app import plots
from digitnet.app.cli import main
from digitnet.data.augment import PRESETS as AUGMENTATIONS

PICTURES = {"curves.png", "confusion.png", "mistakes.png", "weights.png"}


def train_tiny(idx_folder, model, *extra) -> int:
    """`digitnet train` for 2 quick epochs on the tiny IDX folder, plus `extra` flags."""
    argv = ["train", "--data", idx_folder, "--epochs", "2", "--quiet", "--batch-size", "16"]
    return main([str(a) for a in [*argv, "--out", model, *extra]])


def assert_pngs(folder, names):
    assert {p.name for p in folder.iterdir()} == names
    for name in names:
        with Image.open(folder / name) as image:
            assert image.format == "PNG" and image.width > 200 and image.height > 100


def test_plot_command_with_history(idx_folder, tmp_path, capsys):
    model, history = tmp_path / "m.npz", tmp_path / "h.csv"
    assert train_tiny(idx_folder, model, "--history", str(history)) == 0
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
    assert_pngs(out, PICTURES)
    assert "wrote" in capsys.readouterr().out


def test_plot_without_history_and_train_plots(idx_folder, tmp_path, capsys):
    model = tmp_path / "m.npz"
    assert train_tiny(idx_folder, model, "--plots", str(tmp_path / "at_end")) == 0
    assert_pngs(tmp_path / "at_end", PICTURES)
    assert (
        main(
            ["plot", str(model), "--data", str(idx_folder), "--out", str(tmp_path / "no_history")]
        )
        == 0
    )
    assert_pngs(tmp_path / "no_history", PICTURES - {"curves.png"})
    assert "no learning curves" in capsys.readouterr().out


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
    written.append(plots.plot_augmented(X[:3], AUGMENTATIONS["affine"], tmp_path / "aug.png"))
    assert len(written) == 5
    for path in written:
        assert saved_dpi(path) >= 150, path.name


def test_weights_picture_is_large_enough_to_see_each_unit(tmp_path):
    path = plots.plot_first_layer(random_first_layer(128), tmp_path / "weights.png")
    with Image.open(path) as image:
        width, height = image.size
    columns, rows = 16, 8  # 128 units
    assert width >= 1000 and width / (columns + 2) >= 40 and height / (rows + 1) >= 40


@pytest.mark.parametrize("units", [128, 800, 5])
def test_weight_mosaic_holds_every_unit_unscaled(units):
    W1 = random_first_layer(units)
    mosaic, columns = plots.weight_mosaic(W1)
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
    figure = plots.first_layer_figure(W1)
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
    figure = plots.curves_figure(history, validation_name)
    loss_axes, accuracy_axes = figure.axes
    assert loss_axes.get_xlabel() == accuracy_axes.get_xlabel() == "epoch"
    assert loss_axes.get_ylabel() == "cross-entropy loss"
    assert accuracy_axes.get_ylabel() == "accuracy"
    for axes in figure.axes:
        legend = [text.get_text() for text in axes.get_legend().get_texts()]
        assert legend == ["train", validation_name]
