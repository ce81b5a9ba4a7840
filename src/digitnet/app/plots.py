"""Pictures of a network and its training: learning curves, confusion matrix, confident mistakes,
and the first layer's weights, or for a convolutional network each conv layer's filters and the
feature maps of one test image. PNG files drawn with matplotlib's Agg backend (no display
needed). Used by `digitnet plot MODEL` and `digitnet train --plots DIR`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..atomic import atomic_open
from ..nn.conv import Conv2D
from ..nn.dense import Dense
from ..nn.inputs import as_input
from ..nn.metrics import confusion_matrix
from ..nn.network import Network

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..data.augment import Augmentation

DPI = 150  # sharp on high-density screens; the 128-unit weights picture is still ~460 KB


def _figure(figsize: tuple[float, float]) -> Figure:
    from matplotlib.figure import Figure  # heavy: imported only when plotting

    return Figure(figsize=figsize)  # no pyplot: no global figure list to close


def _save(fig: Figure, path: Path) -> Path:
    with atomic_open(path, "wb") as file:
        fig.savefig(file, format="png", dpi=DPI, bbox_inches="tight")
    return path


def curves_figure(history: dict[str, list[float]], validation_name: str = "test") -> Figure:
    """Loss and accuracy per epoch, training and `validation_name` (the val_* columns)."""
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig = _figure((9, 3.4))
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
    return _save(curves_figure(history, validation_name), path)


def plot_confusion(predicted: np.ndarray, labels: np.ndarray, path: Path) -> Path:
    """The confusion matrix as counts: row = true digit, column = predicted digit."""
    counts = confusion_matrix(predicted, labels)
    fig = _figure((6, 5.2))
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
    return _save(fig, path)


def plot_mistakes(
    images: np.ndarray, labels: np.ndarray, probs: np.ndarray, path: Path, count: int = 24
) -> Path:
    """The `count` wrong predictions the network was most confident about."""
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    worst = wrong[np.argsort(-probs[wrong, predicted[wrong]])][:count]
    columns = 8
    rows = max(1, -(-len(worst) // columns))
    fig = _figure((columns * 1.3, rows * 1.6))
    axes = fig.subplots(rows, columns)
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, i in zip(np.ravel(axes), worst):
        ax.imshow(np.asarray(images[i]).reshape(28, 28), cmap="gray_r")
        ax.set_title(
            f"true {labels[i]}\nsaid {predicted[i]} {probs[i, predicted[i]]:.0%}", fontsize=8
        )
    fig.suptitle(f"the {len(worst)} most confident mistakes (of {len(wrong)})")
    return _save(fig, path)


def mosaic_columns(units: int) -> int:
    """16 tiles a row up to 256 units, then about a square grid in multiples of 8 columns."""
    return min(units, max(16, 8 * int(np.ceil(np.sqrt(units) / 8))))


def tile_mosaic(tiles: np.ndarray, columns: int) -> np.ndarray:
    """Tiles (n, h, w), unscaled, `columns` to a row, row by row; a 1-pixel gap of NaN."""
    n, h, w = tiles.shape
    rows = -(-n // columns)
    mosaic = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), np.nan)
    for i, tile in enumerate(tiles):
        top, left = (i // columns) * (h + 1), (i % columns) * (w + 1)
        mosaic[top : top + h, left : left + w] = tile
    return mosaic


def weight_mosaic(W1: np.ndarray, columns: int | None = None) -> tuple[np.ndarray, int]:
    """Each unit's incoming weights, unscaled, as a 28x28 tile, row by row; NaN in the gaps."""
    columns = columns or mosaic_columns(W1.shape[1])
    return tile_mosaic(W1.T.reshape(-1, 28, 28), columns), columns  # W1 is (784, units)


def _weights_figure(
    mosaic: np.ndarray, W: np.ndarray, pixels: int, title: str, bar_label: str
) -> Figure:
    """The `mosaic` of the weights W drawn `pixels` screen pixels per weight, in red (+), white
    (0) and blue (-), on one symmetric scale clipped at the 99.5th percentile of |W|."""
    from matplotlib import colormaps

    # Clip at the 99.5th percentile of |W|, the same for every tile and both signs: white is
    # exactly 0, and a few large weights do not fade all the others.
    limit = float(np.percentile(np.abs(W), 99.5)) or 1.0
    # A whole number of screen pixels per weight, so that "nearest" draws every weight as the
    # same square; the axes are placed by hand to keep that exact.
    inch_per_weight = pixels / DPI
    width, height = mosaic.shape[1] * inch_per_weight, mosaic.shape[0] * inch_per_weight
    lines = title.count("\n") + 2  # the title, and the line on the colour scale
    # the colour bar beside a tall mosaic; under a flat one (a row or two of small kernels),
    # where beside it the bar would be too short for its label
    beside = height >= 2.5
    margin, top = 0.1, 0.25 * (lines + 1)  # inches: outer margin, room for the title
    bar, under = (1.3, 0.0) if beside else (0.0, 0.75)  # room for the colour bar
    fig = _figure((width + bar + 2 * margin, height + top + under + 2 * margin))
    fig_width, fig_height = fig.get_size_inches()
    bottom, tall = (margin + under) / fig_height, height / fig_height
    ax = fig.add_axes((margin / fig_width, bottom, width / fig_width, tall))
    image = ax.imshow(
        mosaic,
        cmap=colormaps["RdBu_r"].with_extremes(bad="white"),  # red +, white 0, blue -
        vmin=-limit,
        vmax=limit,
        interpolation="nearest",
    )
    ax.axis("off")
    ax.set_title(
        f"{title}\none colour scale for every tile, "
        f"clipped at \u00b1{limit:.3g} (the 99.5th percentile of |weight|)",
        fontsize=9,
    )
    if beside:
        box = ((margin + width + 0.15) / fig_width, bottom, 0.15 / fig_width, tall)
    else:  # its ticks and label take 0.45 inches under it
        left, low = margin / fig_width, (margin + 0.45) / fig_height
        box = (left, low, min(width, 4.0) / fig_width, 0.15 / fig_height)
    bar_ax = fig.add_axes(box)
    orientation = "vertical" if beside else "horizontal"
    fig.colorbar(image, cax=bar_ax, extend="both", orientation=orientation).set_label(bar_label)
    return fig


def first_layer_figure(W1: np.ndarray) -> Figure:
    """All hidden units' incoming weights, one 28x28 tile each, on one symmetric colour scale."""
    mosaic, _ = weight_mosaic(W1)
    return _weights_figure(
        mosaic,
        W1,
        3 if W1.shape[1] <= 256 else 2,  # 2 pixels a weight for big layers
        f"first-layer weights: all {W1.shape[1]} hidden units, one 28x28 tile each "
        "(the unit's weight on every input pixel)",
        "weight (red pushes the unit on, blue off)",
    )


def plot_first_layer(W1: np.ndarray, path: Path) -> Path:
    """Write `first_layer_figure` as a PNG."""
    return _save(first_layer_figure(W1), path)


# --- convolutional networks: each conv layer's filters, and its feature maps for one image ---

MAPS_PER_ROW = 8  # filters and feature maps alike, so that filter k and map k sit in one place


def filter_mosaic(W: np.ndarray) -> np.ndarray:
    """A conv layer's kernels W (C_out, C_in, k, k), unscaled, as k x k tiles: with one input
    channel, MAPS_PER_ROW filters to a row; with more, a row per filter and a column per input
    channel (every weight shown, none averaged away). NaN in the gaps."""
    C_out, C_in, kh, kw = W.shape
    if C_in == 1:
        return tile_mosaic(W[:, 0], min(C_out, MAPS_PER_ROW))
    return tile_mosaic(W.reshape(C_out * C_in, kh, kw), C_in)


def filters_figure(conv: Conv2D, number: int) -> Figure:
    """All the kernels of a model's `number`-th conv layer, on one symmetric colour scale."""
    W = conv.params["W"]
    C_out, C_in, k, _ = W.shape
    mosaic = filter_mosaic(W)
    # tiles of about 80 screen pixels, smaller when that would make the picture over 1200
    pixels = max(2, min(80 // k, 1200 // max(mosaic.shape)))
    if C_in == 1:
        title = (
            f"conv layer {number}: all {C_out} filters, one {k}x{k} tile each\n"
            f"(the filter's weight on each pixel of a {k}x{k} patch of the image)"
        )
    else:
        source = f"a feature map of conv layer {number - 1}" if number > 1 else "a channel"
        title = (
            f"conv layer {number}: all {C_out} filters x {C_in} input channels, "
            f"one {k}x{k} tile each\nrow: a filter (its feature map); column: an input "
            f"channel ({source})"
        )
    return _weights_figure(
        mosaic, W, pixels, title, "weight (red pushes the feature map on, blue off)"
    )


def _activation_sources(model: Network) -> list[str]:
    """For each activation layer, the layers since the last conv or dense layer, by name:
    "conv layer 2 -> batchnorm -> relu"."""
    names, path, convs = [], ["the input"], 0
    for layer in model.layers:
        if isinstance(layer, Conv2D):
            convs += 1
            path = [f"conv layer {convs}"]
        elif isinstance(layer, Dense):
            path = ["dense layer"]
        else:
            path.append(layer.type_name)
        if layer.is_activation:
            names.append(" -> ".join(path))
    return names


def feature_maps_figure(model: Network, image: np.ndarray, label: int, index: int = 0) -> Figure:
    """Test image `index` (true digit `label`) and, below it, the feature maps that each conv
    layer's activation makes of it (model.forward's activations of shape (1, C, H, W)), grey
    from black (0) to white (the layer's largest value), MAPS_PER_ROW maps to a row."""
    from matplotlib import colormaps

    from ..nn.losses import softmax

    x = as_input(np.asarray(image), model.dtype).reshape(1, *model.input_shape)
    outputs: list[np.ndarray] = []
    probs = softmax(model.forward(x, activations=outputs))[0]
    digit = int(probs.argmax())
    # (title, picture, screen pixels per value, white's value), from top to bottom
    sections = [
        (
            f"test image {index}, a {label}: the network says {digit} ({probs[digit]:.0%})\n"
            "below, each conv layer's feature maps for it (after its activation)",
            x[0, 0],
            4,
            1.0,
        )
    ]
    for name, output in zip(_activation_sources(model), outputs):
        if output.ndim == 4:  # (1, C, H, W): feature maps, not a dense layer's vector
            C, H, W = output.shape[1:]
            top = max(float(output.max()), 0.0) or 1.0  # all black if no map is on
            sections.append(
                (
                    f"{name}: {C} feature maps of {H}x{W}\n"
                    f"one grey scale for the layer: black 0, white {top:.3g} (its largest)",
                    tile_mosaic(output[0], min(C, MAPS_PER_ROW)),
                    max(1, round(56 / max(H, W))),  # maps of about 56 screen pixels
                    top,
                )
            )
    margin, title_room, gap = 0.1, 0.4, 0.1  # inches
    sizes = [(p.shape[1] * px / DPI, p.shape[0] * px / DPI) for _, p, px, _ in sections]
    fig_width = max(width for width, _ in sizes) + 2 * margin
    fig_height = sum(height + title_room + gap for _, height in sizes) + 2 * margin
    fig = _figure((fig_width, fig_height))
    cmap = colormaps["gray"].with_extremes(bad="white")  # gaps between the maps white
    top_edge = fig_height - margin
    for (title, picture, _, white), (width, height) in zip(sections, sizes):
        top_edge -= title_room + height
        box = (margin / fig_width, top_edge / fig_height, width / fig_width, height / fig_height)
        ax = fig.add_axes(box)
        ax.imshow(picture, cmap=cmap, vmin=0, vmax=white, interpolation="nearest")
        ax.axis("off")
        ax.set_title(title, fontsize=9, loc="left")
        top_edge -= gap
    return fig


def plot_augmented(
    images: np.ndarray, settings: Augmentation, path: Path, copies: int = 5, seed: int = 0
) -> Path:
    """Each of a few training images (first column) beside random distortions of it."""
    from ..data.augment import augment_batch

    rng = np.random.default_rng(seed)
    originals = as_input(np.asarray(images), "float32")
    fig = _figure(((copies + 1) * 0.9, len(originals) * 0.9))
    axes = fig.subplots(len(originals), copies + 1, squeeze=False)
    for row, image in enumerate(originals):
        variants = augment_batch(np.repeat(image[None], copies, axis=0), rng, settings)
        for col, picture in enumerate([image, *variants]):
            axes[row, col].imshow(picture.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
            axes[row, col].axis("off")
    axes[0, 0].set_title("original", fontsize=8)
    axes[0, 1].set_title("random distortions", fontsize=8, loc="left")
    return _save(fig, path)


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
        written.append(_save(filters_figure(conv, number), out_dir / f"filters-{number}.png"))
    if convs:
        figure = feature_maps_figure(model, X_test[0], int(y_test[0]))
        written.append(_save(figure, out_dir / "feature_maps.png"))
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
