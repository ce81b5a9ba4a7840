"""Pictures of what a network's weights learned: a dense first layer's weights on the 784 pixels,
one 28x28 tile a unit; for a convolutional network each conv layer's filters, and the feature
maps that its activations make of one image. Written by plots.write_plots."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...nn.conv import Conv2D
from ...nn.dense import Dense
from ...nn.inputs import as_input
from ...nn.network import Network
from .figures import DPI, new_figure, save_png, tile_mosaic, weights_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAPS_PER_ROW = 8  # filters and feature maps alike, so that filter k and map k sit in one place


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
    return weights_figure(
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

    from ...nn.losses import softmax

    x = as_input(np.asarray(image), model.dtype).reshape(1, *model.input_shape)
    outputs: list[np.ndarray] = []
    probs = softmax(model.forward(x, activations=outputs))[0]
    digit = int(probs.argmax())
    names = model.classes
    what = f"a {names[label]}" if model.reads_digits else f"labelled {names[label]}"
    # (title, picture, screen pixels per value, white's value), from top to bottom
    sections = [
        (
            f"test image {index}, {what}: the network says {names[digit]} "
            f"({probs[digit]:.0%})\n"
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
    fig = new_figure((fig_width, fig_height))
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
