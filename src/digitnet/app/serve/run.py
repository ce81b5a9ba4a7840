"""One training run started from the live page: its new network (refused if too big), and the
callback that lets the page pause, step, stop and re-tune it between two steps, and that records
what the page plots (the curve, the epochs, the images per second).

The run trains on the session's worker thread (session.py), inside loop.fit; after every
step, fit calls on_batch_end here, which records the step, lets the session refresh what the
page shows, runs the jobs other requests handed in (teach, save), and waits while paused.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ...errors import DigitnetError
from ...nn.network import Network
from ...optim import Optimizer
from ...training.callbacks import Callback, RunState
from ...training.histograms import LayerHistograms
from ...training.loop import fit_recipe
from ...training.settings import RunSettings
from ..networks import fresh_model
from .errors import NotFound, Refused
from .worker import Worker

MAX_POINTS = 2000  # training-curve points kept; past that every other one is dropped
POINTS_PER_EPOCH = 40
MAX_PARAMETERS = 20_000_000  # 80 MB of float32, held 3 times and in each snapshot
# A rate measured over less time than this is mostly the cost of the view that measures it.
MIN_RATE_SECONDS = 0.25


IDLE_REPORT: dict = {  # LiveRun.report() before any run
    "state": "idle",
    "error": None,
    "epoch": 0,
    "epochs": 0,
    "step": 0,
    "steps_per_epoch": 0,
    "lr": None,
    "settings": None,
    "images_per_second": None,
    "history": [],
    "batches": [],
}


def run_network(
    settings: RunSettings, n_inputs: int, classes: tuple[str, ...] | None = None
) -> Network:
    """A new network for a run's settings, reading ten classes (named `classes`, else the
    digits), refused if too big for the page to hold."""
    try:
        model = fresh_model(settings, n_inputs, classes=classes)
    except MemoryError:
        raise DigitnetError("that network does not fit in memory") from None
    if model.flat_params.size > MAX_PARAMETERS:
        raise DigitnetError(
            f"that network has {model.flat_params.size:,} parameters; the page trains "
            f"networks of up to {MAX_PARAMETERS:,}"
        )
    return model


HISTOGRAM_SAMPLES = 60  # columns of the page's histograms over a run


class StopRun(Exception):
    """Raised between two steps when the page asked to stop: ends loop.fit early."""


class LiveRun(Callback):
    """The controls and records of one run. `cond` (the session's) guards every field that
    another thread reads or writes: state, paused, steps_allowed, stop_requested, lr_scale,
    step, points, history."""

    def __init__(self, settings: RunSettings, worker: Worker) -> None:
        self.settings, self.base_lr, self.worker = settings, settings.lr, worker
        self.cond = worker.cond
        self.state = "running"  # running (or paused: see shown_state), done or failed
        self.error: str | None = None
        self.paused = self.parked = self.stop_requested = False
        self.steps_allowed = 0  # steps to take while paused (POST /api/train/step)
        self.lr_scale = 1.0  # POST /api/lr: the schedule's rates times this
        self.step = 0  # steps done
        self.epoch = 0  # epochs done
        self.steps_per_epoch = 0
        self.points: list[dict] = []  # the training curve
        self.history: list[dict] = []  # one record per epoch
        self.images_per_second: float | None = None
        self._rate_from = (0, time.perf_counter())  # the step and time the rate counts from
        self._sums = [0.0, 0, 0]  # loss x size, right answers, images since the last point
        self._every = 1  # steps per point
        self.on_step: Callable[[dict], None] = lambda logs: None  # set by the session
        self.started = time.perf_counter()
        self.statistics: LayerHistograms | None = None  # the page's histograms, once it trains

    def train(
        self,
        model: Network,
        optimizer: Optimizer,
        X: np.ndarray,
        y: np.ndarray,
        epoch_end: Callback,
    ) -> None:
        """On the worker: loop.fit with this run's settings, this run and `epoch_end` its
        callbacks (StopRun ends it early)."""
        settings = self.settings
        steps = settings.epochs * -(-len(X) // settings.batch_size)
        self.statistics = LayerHistograms(every=max(1, steps // HISTOGRAM_SAMPLES))
        callbacks = [self, epoch_end, self.statistics]
        fit_recipe(model, X, y, settings, optimizer, verbose=0, callbacks=callbacks)

    def on_train_begin(self, run: RunState) -> None:
        self.run = run
        self.steps_per_epoch = run.steps_per_epoch
        self._every = max(1, run.steps_per_epoch // POINTS_PER_EPOCH)
        self.started = time.perf_counter()
        self._rate_from = (0, self.started)

    def on_batch_end(self, batch: int, logs: dict) -> None:
        with self.cond:
            self.step += 1
            self._sums[0] += logs["loss"] * logs["size"]
            self._sums[1] += logs["correct"]
            self._sums[2] += logs["size"]
            if self.step % self._every == 0:
                self._add_point()
        self.on_step(logs)
        self._between_steps()
        self.run.lr_scale = self.lr_scale

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        with self.cond:
            self.epoch = epoch

    def _between_steps(self) -> None:
        """Run the waiting jobs; while paused, wait for resume, a step, a stop or more jobs."""
        while True:
            if self.worker.serve_pending():
                continue
            with self.cond:
                if self.worker.jobs:  # handed in since serve_pending looked: serve it first
                    continue
                if self.stop_requested:
                    self.parked = False
                    raise StopRun
                if not self.paused or self.steps_allowed > 0:
                    if self.paused:
                        self.steps_allowed -= 1
                    if self.parked:  # the time spent parked trained nothing: not in the rate
                        self._rate_from = (self.step, time.perf_counter())
                        self.images_per_second = None
                    self.parked = False
                    return
                self.parked = True
                self.cond.notify_all()
                self.cond.wait()

    def _add_point(self) -> None:
        loss_sum, correct, seen = self._sums
        self.points.append(
            {
                "step": self.step,
                "epoch": round(self.step / self.steps_per_epoch, 4),
                "loss": loss_sum / seen,
                "accuracy": correct / seen,
            }
        )
        self._sums = [0.0, 0, 0]
        if len(self.points) > MAX_POINTS:  # thin out: every other point, and half as often
            self.points = self.points[1::2]
            self._every *= 2

    def measure_rate(self, now: float) -> None:
        """(Holding cond) The images trained per second since the last measure (or since the
        run started or left a pause), as of `now`; too soon after it, none yet."""
        step, then = self._rate_from
        if now - then < MIN_RATE_SECONDS:
            return
        if self.step > step:
            images = (self.step - step) * self.settings.batch_size
            self.images_per_second = images / (now - then)
        self._rate_from = (self.step, now)

    @property
    def under_way(self) -> bool:
        """Running or paused: the worker thread is inside this run."""
        return self.state == "running"

    @property
    def shown_state(self) -> str:
        """running, paused, done or failed."""
        return "paused" if self.paused and self.under_way else self.state

    @property
    def lr(self) -> float:
        """The run's (base) learning rate now: its schedule starts from this one."""
        return self.base_lr * self.lr_scale

    def control(self, action: str) -> None:
        """Pause, resume, step or stop (holding cond); returns once the run has done it."""
        if action == "pause":
            if self.paused:
                raise Refused("the run is paused already")
            self.paused = True
            self.cond.notify_all()
            self.wait_until(lambda: self.parked)
        elif action == "resume":
            if not self.paused:
                raise Refused("the run is not paused")
            self.paused = False
        elif action == "step":
            if not self.paused:
                raise Refused("pause the run first: a single step is taken from a pause")
            target = self.step + 1
            self.steps_allowed += 1
            self.cond.notify_all()
            self.wait_until(lambda: self.step >= target and self.parked)
        elif action == "stop":
            self.stop_requested = True
            self.cond.notify_all()
            self.wait_until(lambda: False)
        else:
            raise NotFound(f"no such control: {action}")

    def report(self) -> dict:
        """The run's part of GET /api/train (holding cond)."""
        settings = self.settings
        shown = ("layers", "optimizer", "lr", "batch_size", "epochs", "limit", "augment", "seed")
        return {
            "state": self.shown_state,
            "error": self.error,
            "epoch": self.epoch,
            "epochs": settings.epochs,
            "step": self.step,
            "steps_per_epoch": self.steps_per_epoch,
            "lr": self.lr if self.under_way else None,
            "settings": {key: getattr(settings, key) for key in shown},
            "images_per_second": None if self.paused else self.images_per_second,
            "history": list(self.history),
            "batches": list(self.points),
        }

    def wait_until(self, done: Callable[[], bool], seconds: float = 30.0) -> None:
        """Wait (holding cond) until done() or the run has ended, at most `seconds`."""
        self.cond.wait_for(lambda: done() or not self.under_way, timeout=seconds)
