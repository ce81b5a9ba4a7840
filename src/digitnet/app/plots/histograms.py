"""The pictures of a run's per-layer statistics (training.histograms.LayerHistograms):
activations.png and gradients.png (one panel per layer, training steps across, the values' bins
up, a bin's share of the values as colour), and updates.png (each weight's update-to-weight
ratio over the steps, with cs231n's 1e-3 guide line)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...training.histograms import ACTIVATION_BINS, GRADIENT_BINS, TARGET_RATIO
from .figures import new_figure, save_png

if TYPE_CHECKING:
    from ...training.histograms import LayerHistograms


def _panels(
    counts: dict[str, list[np.ndarray]], steps: list[int], bins: np.ndarray, ylabel: str,
    title: str, path: Path,
) -> Path:  # fmt: skip
    """One image per layer: columns are samples over time, rows the bins, colour log share."""
    names = list(counts)
    fig = new_figure((3.2 * len(names) + 0.6, 3.4))
    axes = np.atleast_1d(fig.subplots(1, len(names), squeeze=False)[0])
    extent = (steps[0], steps[-1], bins[0], bins[-1])
    for ax, name in zip(axes, names):
        grid = np.array(counts[name], dtype=float).T  # (bins, samples)
        share = grid / np.maximum(grid.sum(axis=0, keepdims=True), 1)
        ax.imshow(np.log10(share + 1e-4), origin="lower", aspect="auto", extent=extent,
                  cmap="viridis", vmin=-4, vmax=0)  # fmt: skip
        ax.set_title(f"layer {name}", fontsize=9)
        ax.set_xlabel("training step")
    axes[0].set_ylabel(ylabel)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return save_png(fig, path)


def plot_histograms(record: LayerHistograms, out_dir: Path) -> list[Path]:
    """activations.png, gradients.png and updates.png of a run; returns their paths."""
    if len(record.steps) < 2:
        return []  # one sample makes no picture over time
    written = []
    if record.activations:
        title = "activations over training (colour: log10 share of the outputs in each bin)"
        written.append(_panels(record.activations, record.steps, ACTIVATION_BINS,
                               "output value (clipped to +-5)", title,
                               out_dir / "activations.png"))  # fmt: skip
    if record.gradients:
        title = "weight gradients over training (colour: log10 share of the entries in each bin)"
        label = "log10 |dL/dW| (exact zeros at the bottom)"
        path = out_dir / "gradients.png"
        written.append(_panels(record.gradients, record.steps, GRADIENT_BINS, label, title, path))
    if record.ratios:
        fig = new_figure((6.4, 3.8))
        ax = fig.subplots()
        for name, ratios in record.ratios.items():
            ax.plot(record.ratio_steps, ratios, label=f"layer {name}")
        ax.axhline(TARGET_RATIO, color="black", linestyle="--", label="1e-3 (cs231n's guide)")
        ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_ylabel("|update| / |W| (one step)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.suptitle("update-to-weight ratio per layer", fontsize=10)
        fig.tight_layout()
        written.append(save_png(fig, out_dir / "updates.png"))
    return written
