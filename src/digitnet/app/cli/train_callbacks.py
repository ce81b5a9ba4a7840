"""What `digitnet train` adds around the training loop: a checkpoint after every epoch, and a
Ctrl-C that stops at the next epoch boundary (callbacks, see training/callbacks.py)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from ...optim import Optimizer
from ...training.callbacks import Callback, RunState
from ...training.checkpoint import save_checkpoint
from ...training.history import History
from ...training.settings import RunSettings


class SaveCheckpoint(Callback):
    """After every epoch, the whole state into DIR/checkpoint.npz (atomically)."""

    def __init__(
        self,
        directory: str | Path,
        optimizer: Optimizer,
        history: History,
        settings: RunSettings,
    ) -> None:
        self.directory, self.optimizer, self.history = directory, optimizer, history
        self.settings = settings

    def on_train_begin(self, run: RunState) -> None:
        self.model = run.model

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        save_checkpoint(
            self.directory,
            self.model,
            self.optimizer,
            epoch,
            self.history,
            self.settings.to_dict(),
        )


class StopAfterEpoch(Callback):
    """While active, the first Ctrl-C (SIGINT) asks training to stop after the current epoch;
    a second one interrupts at once (KeyboardInterrupt), as usual."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Callable[[int, FrameType | None], Any] | int | None = None

    def on_train_begin(self, run: RunState) -> None:
        self.run = run

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self.requested:
            self.run.stop_training = True

    def __enter__(self) -> StopAfterEpoch:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: leave Ctrl-C alone
            self._previous = None
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        signal.signal(signal.SIGINT, self._previous)
        print(
            "\ndigitnet: stopping after this epoch (Ctrl-C again to stop at once)",
            file=sys.stderr,
            flush=True,
        )

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
