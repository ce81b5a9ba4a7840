"""Per-epoch training metrics, with the names Keras uses (loss, accuracy, val_loss, ...)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import atomic_open
from .callbacks import Callback

if TYPE_CHECKING:
    import pandas as pd


class History(Callback):
    """What `fit` returns: `history.history["val_accuracy"][-1]`, or `history.to_dataframe()`.

    A callback: it records each epoch's logs. Pass one in fit's callbacks to keep adding to it
    (a resumed run continues its history).
    """

    def __init__(self) -> None:
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self.append(epoch, **logs)

    def append(self, epoch: int, **metrics: float) -> None:
        """Record one epoch's metrics. Every metric keeps a value per epoch: NaN for an epoch
        without it (a run resumed with per-epoch test scores after epochs without them)."""
        before = len(self.epoch)
        self.epoch.append(epoch)
        for name, value in metrics.items():
            self.history.setdefault(name, [math.nan] * before).append(float(value))
        for name, values in self.history.items():
            if name not in metrics:
                values.append(math.nan)

    def __len__(self) -> int:
        return len(self.epoch)

    def to_dataframe(self) -> pd.DataFrame:
        """The history as a pandas DataFrame, one row per epoch."""
        import pandas as pd  # heavy: imported only when asked for

        return pd.DataFrame({"epoch": self.epoch, **self.history})

    def to_csv(self, path: str | Path) -> None:
        """Write the history as CSV (with pandas), atomically."""
        with atomic_open(path, "w") as file:
            self.to_dataframe().to_csv(file, index=False)
