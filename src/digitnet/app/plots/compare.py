"""The picture of `digitnet compare`: the recipes' learning curves side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .figures import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..recipes import Result


def comparison_figure(results: list[Result], title: str, eval_name: str = "test") -> Figure:
    """Training loss (log scale) and evaluation accuracy per epoch, one line per recipe."""
    fig = new_figure((10, 3.8))
    loss_ax, accuracy_ax = fig.subplots(1, 2)
    for result in results:
        history = result.history
        if not history.get("loss"):
            continue
        epochs = range(1, len(history["loss"]) + 1)
        label = result.recipe + (" (diverged)" if result.diverged else "")
        loss_ax.plot(epochs, history["loss"], marker="o", markersize=3, label=label)
        accuracy_ax.plot(epochs, history["val_accuracy"], marker="o", markersize=3, label=label)
    loss_ax.set_yscale("log")
    loss_ax.set_ylabel("training loss (log scale)")
    accuracy_ax.set_ylabel(f"{eval_name} accuracy")
    for ax in (loss_ax, accuracy_ax):
        ax.set_xlabel("epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
    if accuracy_ax.get_lines():  # every recipe may have diverged in its first epoch
        accuracy_ax.legend(fontsize=8, loc="lower right")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
