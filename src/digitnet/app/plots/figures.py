"""What every picture shares: a matplotlib figure without pyplot, an atomic PNG writer, tiles laid
out in a mosaic, and the red-white-blue picture of weights on one symmetric colour scale."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...atomic import atomic_open

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 150  # sharp on high-density screens; the 128-unit weights picture is still ~460 KB


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A matplotlib Figure of `figsize` inches."""
    from matplotlib.figure import Figure  # heavy: imported only when plotting

    return Figure(figsize=figsize)  # no pyplot: no global figure list to close


def save_png(fig: Figure, path: Path) -> Path:
    """Write `fig` as a PNG at `path`, atomically; return the path."""
    with atomic_open(path, "wb") as file:
        fig.savefig(file, format="png", dpi=DPI, bbox_inches="tight")
    return path


def tile_mosaic(tiles: np.ndarray, columns: int) -> np.ndarray:
    """Tiles (n, h, w), unscaled, `columns` to a row, row by row; a 1-pixel gap of NaN."""
    n, h, w = tiles.shape
    rows = -(-n // columns)
    mosaic = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), np.nan)
    for i, tile in enumerate(tiles):
        top, left = (i // columns) * (h + 1), (i % columns) * (w + 1)
        mosaic[top : top + h, left : left + w] = tile
    return mosaic


def weights_figure(
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
    fig = new_figure((width + bar + 2 * margin, height + top + under + 2 * margin))
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
