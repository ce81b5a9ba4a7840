"""Pictures of a network and its training: learning curves, confusion matrix, confident mistakes,
and the first layer's weights. PNG files drawn with matplotlib's Agg backend (no display needed).
Used by `digitnet plot MODEL` and `digitnet train --plots DIR`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .atomic import atomic_open
from .metrics import confusion_matrix
from .model import MLP

DPI = 80  # small files: these pictures are for looking at, and the README commits them


def _pyplot():
    import matplotlib  # heavy: imported only when plotting

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    with atomic_open(path, "wb") as file:
        fig.savefig(file, format="png", dpi=DPI, bbox_inches="tight")
    _pyplot().close(fig)
    return path


def plot_curves(history: dict[str, list[float]], path: Path) -> Path:
    """Loss and accuracy per epoch, training and test (or validation), side by side."""
    plt = _pyplot()
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for ax, metric in zip(axes, ("loss", "accuracy")):
        ax.plot(epochs, history[metric], marker="o", label="train")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], marker="o", label="test")
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    return _save(fig, path)


def plot_confusion(predicted: np.ndarray, labels: np.ndarray, path: Path) -> Path:
    """The confusion matrix as counts: row = true digit, column = predicted digit."""
    plt = _pyplot()
    counts = confusion_matrix(predicted, labels)
    fig, ax = plt.subplots(figsize=(6, 5.2))
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
    ax.set_title(f"confusion matrix ({counts.sum()} test images, {accuracy:.2%} correct)")
    return _save(fig, path)


def plot_mistakes(images, labels, probs: np.ndarray, path: Path, count: int = 24) -> Path:
    """The `count` wrong predictions the network was most confident about."""
    plt = _pyplot()
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    worst = wrong[np.argsort(-probs[wrong, predicted[wrong]])][:count]
    columns = 8
    rows = max(1, -(-len(worst) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.3, rows * 1.6))
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, i in zip(np.ravel(axes), worst):
        ax.imshow(np.asarray(images[i]).reshape(28, 28), cmap="gray_r")
        ax.set_title(
            f"true {labels[i]}\nsaid {predicted[i]} {probs[i, predicted[i]]:.0%}", fontsize=8
        )
    fig.suptitle(f"the {len(worst)} most confident mistakes (of {len(wrong)})")
    return _save(fig, path)


def plot_first_layer(W1: np.ndarray, path: Path, max_units: int = 64) -> Path:
    """Each hidden unit's incoming weights drawn as a 28x28 tile (red +, blue -), in one mosaic."""
    plt = _pyplot()
    units = min(W1.shape[1], max_units)
    columns = 8
    rows = -(-units // columns)
    tile = 29  # 28 pixels and a 1-pixel gap
    mosaic = np.full((rows * tile - 1, columns * tile - 1), np.nan)  # NaN gaps show as white
    for unit in range(units):
        weights = W1[:, unit].reshape(28, 28)
        top, left = (unit // columns) * tile, (unit % columns) * tile
        mosaic[top : top + 28, left : left + 28] = weights / (np.abs(weights).max() or 1.0)
    fig, ax = plt.subplots(figsize=(4.5, 4.5 * rows / columns + 0.4))
    cmap = _pyplot().get_cmap("RdBu_r", 15)  # 15 shades: enough to see, and a small file
    ax.imshow(mosaic, cmap=cmap, vmin=-1, vmax=1, interpolation="nearest")
    ax.axis("off")
    ax.set_title(
        f"first-layer weights, {units} of {W1.shape[1]} units\n(red +, blue -)", fontsize=9
    )
    return _save(fig, path)


def plot_augmented(images, settings, path: Path, copies: int = 5, seed: int = 0) -> Path:
    """Each of a few training images (first column) beside random distortions of it."""
    from .augment import augment_batch
    from .model import as_input

    plt = _pyplot()
    rng = np.random.default_rng(seed)
    originals = as_input(np.asarray(images), "float32")
    fig, axes = plt.subplots(
        len(originals), copies + 1, figsize=((copies + 1) * 0.9, len(originals) * 0.9)
    )
    for row, image in enumerate(originals):
        variants = augment_batch(np.repeat(image[None], copies, axis=0), rng, settings)
        for col, picture in enumerate([image, *variants]):
            axes[row, col].imshow(picture.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
            axes[row, col].axis("off")
    axes[0, 0].set_title("original", fontsize=8)
    axes[0, 1].set_title("random distortions", fontsize=8, loc="left")
    return _save(fig, path)


def write_plots(
    model: MLP, X_test, y_test, out_dir: str | Path, history: dict[str, list[float]] | None = None
) -> list[Path]:
    """Write every picture into out_dir (curves only with a history); returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    probs = model.predict_proba(X_test)
    written = []
    if history:
        written.append(plot_curves(history, out_dir / "curves.png"))
    written.append(plot_confusion(probs.argmax(axis=1), y_test, out_dir / "confusion.png"))
    written.append(plot_mistakes(X_test, y_test, probs, out_dir / "mistakes.png"))
    written.append(plot_first_layer(model.dense_layers[0].params["W"], out_dir / "weights.png"))
    return written


def read_history_csv(path: str | Path) -> dict[str, list[float]]:
    """A history CSV written by `digitnet train --history`, as {column: values}."""
    import pandas as pd

    from .errors import DigitnetError

    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise DigitnetError(f"{path}: history file not found") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DigitnetError(f"{path}: not a readable CSV ({error})") from None
    if not {"loss", "accuracy"} <= set(frame.columns):
        raise DigitnetError(f"{path}: not a digitnet history (needs loss and accuracy columns)")
    return {name: frame[name].astype(float).tolist() for name in frame.columns if name != "epoch"}
