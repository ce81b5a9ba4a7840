"""Callbacks: what happens around the training step, in the Keras sense.

The loop (loop.fit) calls, on every callback in order:
    on_train_begin(run)                  run: the RunState (model, optimizer, epochs, ...)
    on_epoch_begin(epoch)
    on_batch_end(batch, logs)            logs: the batch's "loss", "size", "correct", "activations"
    on_epoch_end(epoch, logs)            logs: the epoch's metrics; callbacks may add some
    on_train_end()                       always, also after an error
A callback stops training after the current epoch with run.stop_training = True.
Here: the divergence guard, per-epoch evaluation, early stopping, the progress bar, the epoch line.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .. import checks
from ..errors import DivergenceError

if TYPE_CHECKING:
    from tqdm import tqdm

    from ..nn.network import Network
    from ..optim import Optimizer

# Cross-entropy starts near ln 10 = 2.3. The softmax is computed stably, so blown-up weights
# need not make the loss infinite: a batch whose mean loss passes 1000 gives its right digits
# probabilities like e^-1000, which only happens once training has diverged.
DIVERGED_LOSS = 1000.0


@dataclass
class RunState:
    """What callbacks may look at (and `stop_training`, which they may set)."""

    model: Network  # the network being trained
    optimizer: Optimizer
    epochs: int
    steps_per_epoch: int
    n_examples: int  # training images per epoch
    epoch: int = 0  # the epoch under way (from 1)
    batch: int = 0  # the batch under way (from 1); 0 once the epoch's steps are done
    stop_training: bool = False
    # the schedule's learning rates are multiplied by this (the live page changes it mid-run)
    lr_scale: float = 1.0

    @property
    def where(self) -> str:
        """Where training is, for error messages: "epoch 3/10, batch 7"."""
        if self.batch:
            return f"epoch {self.epoch}/{self.epochs}, batch {self.batch}"
        return f"the end of epoch {self.epoch}/{self.epochs}"


class Callback:
    """Does nothing at every hook; subclasses override the hooks they need."""

    def on_train_begin(self, run: RunState) -> None:
        """Training starts: keep `run` if needed."""

    def on_epoch_begin(self, epoch: int) -> None:
        """An epoch starts (epochs count from 1)."""

    def on_batch_end(self, batch: int, logs: dict) -> None:
        """A step is done: logs has the batch's "loss", "size", "correct" (right answers) and
        "activations"."""

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        """An epoch is done: logs has its metrics (add more for the callbacks after this one)."""

    def on_train_end(self) -> None:
        """Training ended, normally or by an error."""


def divergence_message(what: str, where: str, lr: float) -> str:
    """The one line that says training diverged, where, and at which learning rate."""
    return f"training diverged: {what} at {where} (learning rate {lr:g})"


class DivergenceGuard(Callback):
    """Stops a run whose loss became non-finite or huge, or whose weights became non-finite."""

    def on_train_begin(self, run: RunState) -> None:
        self.run = run

    def on_batch_end(self, batch: int, logs: dict) -> None:
        loss = logs["loss"]
        if not math.isfinite(loss) or loss > DIVERGED_LOSS:
            what = f"the loss became {loss:.3g} (it starts near 2.3)"
            raise DivergenceError(divergence_message(what, self.run.where, self.run.optimizer.lr))

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if not np.isfinite(self.run.model.flat_params).all():
            what = "the weights became non-finite"
            raise DivergenceError(divergence_message(what, self.run.where, self.run.optimizer.lr))


class Evaluation(Callback):
    """After each epoch, val_loss and val_accuracy on held-out data (X, y)."""

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        self.X, self.y = X, y

    def on_train_begin(self, run: RunState) -> None:
        self.model = run.model

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        result = self.model.evaluate(self.X, self.y)
        logs.update(val_loss=result["loss"], val_accuracy=result["accuracy"])


class EarlyStopping(Callback):
    """Stop when val_loss has not improved for `patience` epochs; then restore the weights of
    the best epoch (as Keras' restore_best_weights). Needs an Evaluation before it."""

    def __init__(self, patience: int, verbose: bool = False) -> None:
        self.patience, self.verbose = checks.integer("early_stopping", patience), verbose
        self.best_loss, self.best_epoch = float("inf"), 0
        self.best_weights: np.ndarray | None = None

    def on_train_begin(self, run: RunState) -> None:
        self.run = run

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if logs["val_loss"] < self.best_loss:
            self.best_loss, self.best_epoch = logs["val_loss"], epoch
            self.best_weights = self.run.model.flat_params.copy()
        if epoch - self.best_epoch >= self.patience:
            self.run.stop_training = True
            if self.verbose:
                print(
                    f"early stopping: val_loss has not improved for {self.patience} "
                    f"epochs; keeping the weights of epoch {self.best_epoch}"
                )

    def on_train_end(self) -> None:
        if self.best_weights is not None:
            self.run.model.flat_params[...] = self.best_weights


class ProgressBar(Callback):
    """A tqdm bar on stderr for each epoch, which disappears when the epoch ends."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def on_train_begin(self, run: RunState) -> None:
        self.run = run

    def on_epoch_begin(self, epoch: int) -> None:
        from tqdm import tqdm  # imported only when a bar is shown

        self.bar = tqdm(
            total=self.run.n_examples,
            desc=f"epoch {epoch}/{self.run.epochs}",
            unit="img",
            unit_scale=True,
            leave=False,
            file=sys.stderr,
            mininterval=0.2,
            dynamic_ncols=True,
        )

    def on_batch_end(self, batch: int, logs: dict) -> None:
        assert self.bar is not None, "a batch outside an epoch"
        self.bar.update(logs["size"])

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self.on_train_end()

    def on_train_end(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class EpochLogger(Callback):
    """Prints one line per epoch: loss, accuracy, the validation figures, seconds, images/s."""

    def __init__(self, validation_name: str = "val") -> None:
        self.validation_name = validation_name

    def on_train_begin(self, run: RunState) -> None:
        self.epochs = run.epochs

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        print(epoch_line(epoch, self.epochs, logs, self.validation_name), flush=True)


def epoch_line(epoch: int, epochs: int, metrics: dict[str, float], val_name: str) -> str:
    """The line printed after each epoch."""
    width = len(str(epochs))
    line = f"epoch {epoch:>{width}}/{epochs}  loss {metrics['loss']:.4f}  "
    line += f"accuracy {metrics['accuracy']:.4f}"
    if "val_loss" in metrics:
        line += f"  {val_name}_loss {metrics['val_loss']:.4f}"
        line += f"  {val_name}_accuracy {metrics['val_accuracy']:.4f}"
    line += f"  {metrics['seconds']:.2f}s  {metrics['images_per_second']:,.0f} img/s"
    if "augment_seconds" in metrics:
        line += f" (augmenting {metrics['augment_seconds'] / metrics['seconds']:.0%})"
    return line


class Timer(Callback):
    """Adds the epoch's wall-clock "seconds" (training and evaluation) to its logs."""

    def on_epoch_begin(self, epoch: int) -> None:
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        logs["seconds"] = time.perf_counter() - self.start


class LambdaCallback(Callback):
    """A callback from a function: on_epoch_end(epoch, logs) after every epoch (as Keras')."""

    def __init__(self, on_epoch_end: Callable[[int, dict], object]) -> None:
        self.function = on_epoch_end

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self.function(epoch, logs)
