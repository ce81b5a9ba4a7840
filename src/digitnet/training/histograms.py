"""Per-layer statistics over a run, for the pictures of `digitnet train --plots`: histograms of
each activation layer's outputs and of each weight's gradients (fast.ai's "colorful
dimension": time across, values up), and each weight's update-to-weight ratio, |dW| / |W|,
which cs231n suggests keeping near 1e-3.

A callback: every `every` steps it takes one histogram per layer (fixed bins, so that the
columns line up over time) from the step's activations and gradients, and the ratio from the
weights before and after the next step. Nothing here changes training.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np

from ..atomic import atomic_open
from ..errors import DigitnetError
from .callbacks import Callback, RunState

ACTIVATION_BINS = np.linspace(-5.0, 5.0, 51)  # values beyond +-5 count in the end bins
GRADIENT_BINS = np.linspace(-12.0, 0.0, 49)  # log10 |g|; exact zeros count in the lowest bin
TARGET_RATIO = 1e-3


class LayerHistograms(Callback):
    """Records, every `every` steps, histograms of activations and gradients per layer and the
    update-to-weight ratio of each layer's weights W."""

    def __init__(self, every: int = 10) -> None:
        self.every = every
        self.steps: list[int] = []  # the steps the histograms were taken at
        self.activations: dict[str, list[np.ndarray]] = {}  # layer name -> counts per sample
        self.gradients: dict[str, list[np.ndarray]] = {}
        self.ratio_steps: list[int] = []
        self.ratios: dict[str, list[float]] = {}
        self._step = 0
        self._before: dict[str, np.ndarray] = {}

    def on_train_begin(self, run: RunState) -> None:
        self.model = run.model
        kinds = [layer.config()["type"] for layer in run.model.layers]
        self.activation_names = [
            f"{i} {kind}" for i, (layer, kind) in enumerate(zip(run.model.layers, kinds))
            if layer.is_activation
        ]  # fmt: skip
        self.weights = {
            f"{i} {kinds[i]}": layer for i, layer in enumerate(run.model.layers)
            if "W" in layer.params
        }  # fmt: skip

    def on_batch_end(self, batch: int, logs: dict) -> None:
        self._step += 1
        if self._before:  # the step after a sample: how far it moved each W
            self.ratio_steps.append(self._step)
            for name, layer in self.weights.items():
                W, before = layer.params["W"], self._before[name]
                ratio = float(np.linalg.norm(W - before) / max(np.linalg.norm(before), 1e-30))
                self.ratios.setdefault(name, []).append(ratio)
            self._before = {}
        if (self._step - 1) % self.every:
            return
        self.steps.append(self._step)
        for name, a in zip(self.activation_names, logs["activations"]):
            counts = np.histogram(np.clip(a, -5.0, 5.0), ACTIVATION_BINS)[0]
            self.activations.setdefault(name, []).append(counts)
        for name, layer in self.weights.items():
            magnitude = np.log10(np.maximum(np.abs(layer.grads["W"]), 1e-12))
            counts = np.histogram(np.clip(magnitude, -12.0, 0.0), GRADIENT_BINS)[0]
            self.gradients.setdefault(name, []).append(counts)
            self._before[name] = layer.params["W"].copy()

    def save(self, path: str | Path) -> None:
        """Write the record as an .npz file (atomically), for `digitnet plot --history`."""
        arrays: dict[str, np.ndarray] = {
            "steps": np.array(self.steps),
            "ratio_steps": np.array(self.ratio_steps),
        }
        for key, table in (("activation", self.activations), ("gradient", self.gradients)):
            arrays[f"{key}_names"] = np.array(list(table), dtype=str)
            for i, samples in enumerate(table.values()):
                arrays[f"{key}_{i}"] = np.array(samples)
        arrays["ratio_names"] = np.array(list(self.ratios), dtype=str)
        for i, values in enumerate(self.ratios.values()):
            arrays[f"ratio_{i}"] = np.array(values)
        with atomic_open(path, "wb") as file:
            # cast: NumPy's stub takes **arrays for possibly savez's own allow_pickle argument
            np.savez_compressed(file, **cast("dict[str, Any]", arrays))

    @classmethod
    def load(cls, path: str | Path) -> LayerHistograms:
        """A record written by save (no pickled objects are read)."""
        record = cls()
        try:
            with np.load(path, allow_pickle=False) as data:
                record.steps = data["steps"].tolist()
                record.ratio_steps = data["ratio_steps"].tolist()
                for key, table in (("activation", record.activations),
                                   ("gradient", record.gradients)):  # fmt: skip
                    for i, name in enumerate(data[f"{key}_names"].tolist()):
                        table[name] = list(data[f"{key}_{i}"])
                for i, name in enumerate(data["ratio_names"].tolist()):
                    record.ratios[name] = data[f"ratio_{i}"].tolist()
        except (OSError, ValueError, KeyError) as error:
            message = f"{path}: not a record of digitnet train's histograms ({error})"
            raise DigitnetError(message) from None
        return record


def record_path(history: str | Path) -> Path:
    """Where `train --history FILE.csv` keeps the run's histograms: FILE.histograms.npz."""
    return Path(history).with_suffix(".histograms.npz")
