"""Pictures of a network and its training: learning curves, confusion matrix, confident mistakes,
and the first layer's weights, or for a convolutional network each conv layer's filters and the
feature maps of one test image. PNG files drawn with matplotlib's Agg backend (no display
needed). Used by `digitnet plot MODEL` and `digitnet train --plots DIR`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..nn.conv import Conv2D
from ..nn.dense import Dense
from ..nn.inputs import as_input
from ..nn.metrics import confusion_matrix
from ..nn.network import Network
from .conv_plots import feature_maps_figure, filters_figure
from .figures import new_figure, save_png, tile_mosaic, weights_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..data.augment import Augmentation


def curves_figure(history: dict[str, list[float]], validation_name: str = "test") -> Figure:
    """Loss and accuracy per epoch, training and `validation_name` (the val_* columns)."""
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig = new_figure((9, 3.4))
    axes = fig.subplots(1, 2)
    for ax, metric, label in zip(axes, ("loss", "accuracy"), ("cross-entropy loss", "accuracy")):
        ax.plot(epochs, history[metric], marker="o", label="train")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], marker="o", label=validation_name)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.xaxis.get_major_locator().set_params(integer=True)  # no epoch 2.5
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def plot_curves(
    history: dict[str, list[float]], path: Path, validation_name: str = "test"
) -> Path:
    """Write `curves_figure` as a PNG."""
    return save_png(curves_figure(history, validation_name), path)


def plot_confusion(predicted: np.ndarray, labels: np.ndarray, path: Path) -> Path:
    """The confusion matrix as counts: row = true digit, column = predicted digit."""
    counts = confusion_matrix(predicted, labels)
    fig = new_figure((6, 5.2))
    ax = fig.subplots()
    ax.imshow(np.log1p(counts), cmap="Blues")  # log colour: the diagonal would drown the rest
    for true in range(10):
        for guess in range(10):
            ax.text(
                guess,
                true,
                str(counts[true, guess]),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if true == guess else "black",
            )
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    accuracy = np.trace(counts) / counts.sum()
    ax.set_title(f"confusion matrix ({counts.sum():,} test images, {accuracy:.2%} correct)")
    return save_png(fig, path)


def plot_mistakes(
    images: np.ndarray, labels: np.ndarray, probs: np.ndarray, path: Path, count: int = 24
) -> Path:
    """The `count` wrong predictions the network was most confident about."""
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    worst = wrong[np.argsort(-probs[wrong, predicted[wrong]])][:count]
    columns = 8
    rows = max(1, -(-len(worst) // columns))
    fig = new_figure((columns * 1.3, rows * 1.6))
    axes = fig.subplots(rows, columns)
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, i in zip(np.ravel(axes), worst):
        ax.imshow(np.asarray(images[i]).reshape(28, 28), cmap="gray_r")
        ax.set_title(
            f"true {labels[i]}\nsaid {predicted[i]} {probs[i, predicted[i]]:.0%}", fontsize=8
        )
    fig.suptitle(f"the {len(worst)} most confident mistakes (of {len(wrong)})")
    return save_png(fig, path)


def mosaic_columns(units: int) -> int:
    """16 tiles a row up to 256 units, then about a square grid in multiples of 8 columns."""
    return min(units, max(16, 8 * int(np.ceil(np.sqrt(units) / 8))))


def weight_mosaic(W1: np.ndarray, columns: int | None = None) -> tuple[np.ndarray, int]:
    """Each unit's incoming weights, unscaled, as a 28x28 tile, row by row; NaN in the gaps."""
    columns = columns or mosaic_columns(W1.shape[1])
    return tile_mosaic(W1.T.reshape(-1, 28, 28), columns), columns  # W1 is (784, units)


def first_layer_figure(W1: np.ndarray) -> Figure:
    """All hidden units' incoming weights, one 28x28 tile each, on one symmetric colour scale."""
    mosaic, _ = weight_mosaic(W1)
    return weights_figure(
        mosaic,
        W1,
        3 if W1.shape[1] <= 256 else 2,  # 2 pixels a weight for big layers
        f"first-layer weights: all {W1.shape[1]} hidden units, one 28x28 tile each "
        "(the unit's weight on every input pixel)",
        "weight (red pushes the unit on, blue off)",
    )


def plot_first_layer(W1: np.ndarray, path: Path) -> Path:
    """Write `first_layer_figure` as a PNG."""
    return save_png(first_layer_figure(W1), path)


def plot_augmented(
    images: np.ndarray, settings: Augmentation, path: Path, copies: int = 5, seed: int = 0
) -> Path:
    """Each of a few training images (first column) beside random distortions of it."""
    from ..data.augment import augment_batch

    rng = np.random.default_rng(seed)
    originals = as_input(np.asarray(images), "float32")
    fig = new_figure(((copies + 1) * 0.9, len(originals) * 0.9))
    axes = fig.subplots(len(originals), copies + 1, squeeze=False)
    for row, image in enumerate(originals):
        variants = augment_batch(np.repeat(image[None], copies, axis=0), rng, settings)
        for col, picture in enumerate([image, *variants]):
            axes[row, col].imshow(picture.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
            axes[row, col].axis("off")
    axes[0, 0].set_title("original", fontsize=8)
    axes[0, 1].set_title("random distortions", fontsize=8, loc="left")
    return save_png(fig, path)


def write_plots(
    model: Network,
    X_test: np.ndarray,
    y_test: np.ndarray,
    out_dir: str | Path,
    history: dict[str, list[float]] | None = None,
    validation_name: str = "test",  # what the history's val_* columns measured
) -> list[Path]:
    """Write every picture into out_dir (curves only with a history); returns their paths.
    weights.png for a network whose first layer is dense on the 784 pixels; for each conv
    layer filters-1.png, filters-2.png..., and feature_maps.png for the first test image."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    probs = model.predict_proba(X_test)
    written = []
    if history:
        written.append(plot_curves(history, out_dir / "curves.png", validation_name))
    written.append(plot_confusion(probs.argmax(axis=1), y_test, out_dir / "confusion.png"))
    written.append(plot_mistakes(X_test, y_test, probs, out_dir / "mistakes.png"))
    first = next(layer for layer in model.layers if "W" in layer.params)
    if isinstance(first, Dense) and first.params["W"].shape[0] == 784:  # weights on pixels
        written.append(plot_first_layer(first.params["W"], out_dir / "weights.png"))
    # a conv network's first weights are its first conv layer's filters: filters-1.png
    convs = [layer for layer in model.layers if isinstance(layer, Conv2D)]
    for number, conv in enumerate(convs, 1):
        written.append(save_png(filters_figure(conv, number), out_dir / f"filters-{number}.png"))
    if convs:
        figure = feature_maps_figure(model, X_test[0], int(y_test[0]))
        written.append(save_png(figure, out_dir / "feature_maps.png"))
    return written


def read_history_csv(path: str | Path) -> dict[str, list[float]]:
    """A history CSV written by `digitnet train --history`, as {column: values}."""
    import pandas as pd

    from ..errors import DigitnetError

    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise DigitnetError(f"{path}: history file not found") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DigitnetError(f"{path}: not a readable CSV ({error})") from None
    if not {"loss", "accuracy"} <= set(frame.columns):
        raise DigitnetError(f"{path}: not a digitnet history (needs loss and accuracy columns)")
    return {name: frame[name].astype(float).tolist() for name in frame.columns if name != "epoch"}
