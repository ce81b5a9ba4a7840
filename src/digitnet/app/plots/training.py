"""Pictures of how a network trained and what it gets wrong: learning curves, the confusion matrix,
the most confident mistakes, and random distortions of training images; and the history CSV the
curves are read from."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...nn.class_names import digit_names
from ...nn.inputs import as_input
from ...nn.metrics import confusion_matrix
from .figures import new_figure, save_png

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ...data.augment import Augmentation

DIGITS = digit_names(10)


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


def plot_confusion(
    predicted: np.ndarray, labels: np.ndarray, path: Path, classes: Sequence[str] = DIGITS
) -> Path:
    """The confusion matrix as counts: row = true class, column = predicted class (counts
    written in the cells for up to 20 classes; beyond, the colour alone)."""
    n = len(classes)
    counts = confusion_matrix(predicted, labels, n)
    side = max(0, n - 10) * 0.22  # more classes, a larger picture
    fig = new_figure((6 + side, 5.2 + side))
    ax = fig.subplots()
    ax.imshow(np.log1p(counts), cmap="Blues")  # log colour: the diagonal would drown the rest
    shade = np.log1p(counts) / max(np.log1p(counts.max()), 1e-9)  # 0-1, for the text colour
    for true in range(n if n <= 20 else 0):
        for guess in range(n):
            ax.text(
                guess,
                true,
                str(counts[true, guess]),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if shade[true, guess] > 0.5 else "black",  # legible on dark
            )
    long_names = max(len(name) for name in classes) > 2
    ax.set_xticks(
        range(n),
        classes,
        rotation=45 if long_names else 0,
        ha="right" if long_names else "center",
        fontsize=8 if n > 20 else None,
    )
    ax.set_yticks(range(n), classes, fontsize=8 if n > 20 else None)
    kind = "digit" if tuple(classes) == DIGITS else "class"
    ax.set_xlabel(f"predicted {kind}")
    ax.set_ylabel(f"true {kind}")
    accuracy = np.trace(counts) / counts.sum()
    ax.set_title(f"confusion matrix ({counts.sum():,} test images, {accuracy:.2%} correct)")
    return save_png(fig, path)


def plot_mistakes(
    images: np.ndarray,
    labels: np.ndarray,
    probs: np.ndarray,
    path: Path,
    count: int = 24,
    classes: Sequence[str] = DIGITS,
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
        said = f"{classes[predicted[i]]} {probs[i, predicted[i]]:.0%}"
        ax.set_title(f"true {classes[labels[i]]}\nsaid {said}", fontsize=8)
    fig.suptitle(f"the {len(worst)} most confident mistakes (of {len(wrong)})")
    return save_png(fig, path)


def plot_augmented(
    images: np.ndarray, settings: Augmentation, path: Path, copies: int = 5, seed: int = 0
) -> Path:
    """Each of a few training images (first column) beside random distortions of it."""
    from ...data.augment import augment_batch

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


def read_history_csv(path: str | Path) -> dict[str, list[float]]:
    """A history CSV written by `digitnet train --history`, as {column: values}."""
    import pandas as pd

    from ...errors import DigitnetError

    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise DigitnetError(f"{path}: history file not found") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DigitnetError(f"{path}: not a readable CSV ({error})") from None
    if not {"loss", "accuracy"} <= set(frame.columns):
        raise DigitnetError(f"{path}: not a digitnet history (needs loss and accuracy columns)")
    return {name: frame[name].astype(float).tolist() for name in frame.columns if name != "epoch"}
