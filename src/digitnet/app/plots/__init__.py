"""Pictures of a network and its training, as PNG files drawn with matplotlib's Agg backend (no
display needed): learning curves, confusion matrix and confident mistakes (training.py), the
first layer's weights or a conv network's filters and feature maps (weights.py), and the
recipes of `digitnet compare` (compare.py). Used by `digitnet plot MODEL` and `digitnet train
--plots DIR`; nothing here reads flags or prints.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...nn.conv import Conv2D
from ...nn.dense import Dense
from ...nn.network import Network
from .figures import save_png
from .training import plot_confusion, plot_curves, plot_mistakes, read_history_csv
from .weights import feature_maps_figure, filters_figure, plot_first_layer

__all__ = ["write_plots", "read_history_csv"]


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
    layer filters-1.png, filters-2.png..., and feature_maps.png for the first test image.
    Classes are shown by model.classes' names."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    probs = model.predict_proba(X_test)
    written = []
    if history:
        written.append(plot_curves(history, out_dir / "curves.png", validation_name))
    predicted, names = probs.argmax(axis=1), model.classes
    written.append(plot_confusion(predicted, y_test, out_dir / "confusion.png", names))
    written.append(plot_mistakes(X_test, y_test, probs, out_dir / "mistakes.png", classes=names))
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
