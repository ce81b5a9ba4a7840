"""The picture of `digitnet doctor --lr-plot`: the range test's loss against the learning rate."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .figures import new_figure, save_png

if TYPE_CHECKING:
    from ...doctor import RangeTest


def plot_lr_range(test: RangeTest, lr: float, path: Path) -> Path:
    """Loss (smoothed) against the rate on a log scale, the suggested rate and the run's marked."""
    fig = new_figure((6.4, 3.8))
    ax = fig.subplots()
    ax.plot(test.lrs, test.losses, color="tab:blue", label="loss after a step at that rate")
    ax.axvline(test.suggested, color="tab:green", linestyle="--",
               label=f"suggested: {test.suggested:.2g} (steepest fall)")  # fmt: skip
    ax.axvline(lr, color="tab:red", linestyle=":", label=f"this run's: {lr:g}")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale), one step each, rising")
    ax.set_ylabel("training loss (smoothed)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.suptitle("learning-rate range test (digitnet doctor)", fontsize=10)
    fig.tight_layout()
    return save_png(fig, path)
