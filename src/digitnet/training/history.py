"""Per-epoch training metrics, with the names Keras uses (loss, accuracy, val_loss, ...)."""

from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_open


class History:
    """What `fit` returns: `history.history["val_accuracy"][-1]`, or `history.to_dataframe()`."""

    def __init__(self) -> None:
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def append(self, epoch: int, **metrics: float) -> None:
        """Record one epoch's metrics."""
        self.epoch.append(epoch)
        for name, value in metrics.items():
            self.history.setdefault(name, []).append(float(value))

    def __len__(self) -> int:
        return len(self.epoch)

    def to_dataframe(self):
        """The history as a pandas DataFrame, one row per epoch."""
        import pandas as pd  # heavy: imported only when asked for

        return pd.DataFrame({"epoch": self.epoch, **self.history})

    def to_csv(self, path: str | Path) -> None:
        """Write the history as CSV (with pandas), atomically."""
        with atomic_open(path, "w") as file:
            self.to_dataframe().to_csv(file, index=False)
