"""Everything `digitnet serve` holds while the page trains, draws and teaches: the current network,
the data, the run under way, what the page shows, the snapshots, the taught drawings, the saved
files.

Threads. The HTTP server answers each request on a thread of its own; one worker thread owns the
network: only it trains, teaches or saves. Requests that need the network hand the worker a job
and wait for its answer; during a run the worker takes jobs between two steps (and while paused).
/predict never waits for the network: it reads `viewer`, a copy of the weights that the worker
refreshes a few times a second (under `view_lock`). `cond` guards the run's state and records.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from ...data.augment import AUGMENTATIONS
from ...data.datasets import DataSplits
from ...data.preprocess import to_mnist
from ...errors import DigitnetError
from ...nn.network import Network
from ...training.callbacks import LambdaCallback
from ...training.loop import fit
from ...training.settings import optimizer_of
from ..networks import describe_network, fresh_model
from .drawing import parse_epoch, parse_image, predict_image
from .errors import NotFound, Refused
from .log import LOG
from .requests import (
    label_from_json,
    learning_rate_from_json,
    save_name_from_json,
    settings_from_json,
)
from .run import IDLE_REPORT, LiveRun, StopRun
from .save_folder import SaveFolder
from .teach import TaughtSet, teach
from .views import (
    Snapshot,
    Snapshots,
    clone,
    first_layer_filters,
    layer_statistics,
    put_weights,
    score,
    strip_indices,
    strip_view,
    take_weights,
    weights_of,
)
from .worker import Worker

# Seconds between refreshes of the live view (and of the viewer's weights) while training: every
# VIEW_EVERY, or, where a refresh takes longer than an eighth of that, every 8 refreshes' time,
# but at least once every VIEW_AT_LEAST. A refresh costs 1 ms for the MLP and 35 ms for --preset
# cnn (mostly the probe), so the views take under 10% of the training time.
VIEW_EVERY, VIEW_AT_LEAST = 0.5, 1.0
PROBE = 500  # test images behind the live confusion matrix between epochs
MAX_PARAMETERS = 20_000_000  # 80 MB of float32, held 3 times and in each snapshot


class LiveSession:
    """The state behind the live page (see the module docstring for who touches what)."""

    def __init__(self, model: Network, data: DataSplits, save_dir: Path, seed: int = 0) -> None:
        self.model = model
        self.data = data
        self.save_dir = save_dir
        self.files = SaveFolder(save_dir)
        self.taught = TaughtSet(save_dir / "taught.csv")
        self.rng = np.random.default_rng(seed)  # teach's distortions and replayed images
        self.cond = threading.Condition()
        self.worker = Worker(self.cond)
        self.run: LiveRun | None = None
        self.version = 0
        self.test: tuple[float, float] | None = None  # accuracy, loss of the current network
        self.view: dict = {}
        self.strip = strip_indices(data.y_eval)
        self.view_lock = threading.Lock()  # viewer, snapshot_viewer, snapshots
        self._adopt(model)
        self._last_step_view = 0.0  # when a step last refreshed the view
        self._view_seconds = 0.0  # how long that took
        self._last_rate = (0, time.perf_counter())  # step and time of the last view
        self.worker.submit(self._show_start)

    # --- training ----------------------------------------------------------------------------
    def start_run(self, payload: object) -> dict:
        """POST /api/train: check the request, then train on the worker (answers at once)."""
        settings, keep_going = settings_from_json(payload)
        self._refuse_if_under_way()  # early, before building a network (again below, locked)
        X, y = self.data.X_train, self.data.y_train
        if settings.limit is not None:
            if settings.limit > len(X):
                raise DigitnetError(f'"limit" must be at most {len(X)}, got {settings.limit}')
            X, y = X[: settings.limit], y[: settings.limit]
        try:
            model = None if keep_going else fresh_model(settings, X.shape[1])
        except MemoryError:
            raise DigitnetError("that network does not fit in memory") from None
        if model is not None and model.flat_params.size > MAX_PARAMETERS:
            raise DigitnetError(
                f"that network has {model.flat_params.size:,} parameters; the page trains "
                f"networks of up to {MAX_PARAMETERS:,}"
            )
        optimizer = optimizer_of(settings)
        run = LiveRun(settings, self.worker)
        with self.cond:
            self._refuse_if_under_way()
            self.run = run
            self.version += 1
        self.worker.submit(lambda: self._train(run, model, optimizer, X, y), wait=False)
        return self.status()

    def _refuse_if_under_way(self) -> None:
        if self.run is not None and self.run.under_way:
            raise Refused("a run is under way: stop it first (one run at a time)")

    def _train(self, run: LiveRun, model: Network | None, optimizer: Any, X: Any, y: Any) -> None:
        """On the worker: the whole run, then its end state (done, or failed and why)."""
        s = run.settings
        state, error = "done", None
        try:
            if model is not None:
                self._adopt(model)
            self._last_step_view = 0.0  # the first step shows itself
            with self.view_lock:
                self.snapshots = Snapshots()
            self._snapshot(0)
            run.on_step = lambda logs: self._after_step(run, logs)
            epoch_end = LambdaCallback(lambda epoch, logs: self._after_epoch(run, epoch, logs))
            fit(
                self.model,
                X,
                y,
                epochs=s.epochs,
                batch_size=s.batch_size,
                optimizer=optimizer,
                verbose=0,
                callbacks=[run, epoch_end],
                lr_schedule=s.schedule,
                warmup_epochs=s.warmup_epochs,
                augment=AUGMENTATIONS.get(s.augment),
            )
        except StopRun:
            pass
        except DigitnetError as problem:  # divergence, or what the settings could not do
            state, error = "failed", str(problem)
        except Exception as problem:  # a bug, or no memory: say so on the page, serve on
            state, error = "failed", f"{type(problem).__name__}: {problem}"
            LOG.error("the run failed: %s", error)
        finally:
            if state == "failed" and self.snapshots.items:  # back to finite weights
                last = self.snapshots.items[-1]
                put_weights(self.model, last.weights)
                error = f"{error}; the network is back at its weights of epoch {last.epoch}"
            with self.cond:
                run.state, run.error, run.paused = state, error, False
                self.cond.notify_all()
        self._after_change()

    def _after_step(self, run: LiveRun, logs: dict) -> None:
        """On the worker after each step: every VIEW_EVERY seconds, refresh the live view."""
        now = time.perf_counter()
        every = min(VIEW_AT_LEAST, max(VIEW_EVERY, 8 * self._view_seconds))
        if now - self._last_step_view >= every or run.paused:
            self._refresh_view(logs["activations"], run)
            self._last_step_view = now
            self._view_seconds = time.perf_counter() - now

    def _after_epoch(self, run: LiveRun, epoch: int, logs: dict) -> None:
        """On the worker after each epoch: score the whole test set, record, snapshot."""
        snapshot = self._snapshot(epoch)
        record = {
            "epoch": epoch,
            "loss": logs["loss"],
            "accuracy": logs["accuracy"],
            "test_loss": snapshot.test_loss,
            "test_accuracy": snapshot.test_accuracy,
            "seconds": round(time.perf_counter() - run.started, 2),
        }
        with self.cond:
            run.history.append(record)
        self._refresh_view(None, run, snapshot.confusion)

    def _snapshot(self, epoch: int) -> Snapshot:
        """Score the network on the test set and keep a snapshot of it."""
        accuracy, loss, confusion = score(self.model, self.data.X_eval, self.data.y_eval)
        snapshot = Snapshot(epoch, take_weights(self.model), accuracy, loss, confusion)
        with self.view_lock:
            self.snapshots.add(snapshot)
        with self.cond:
            self.test = (accuracy, loss)
        return snapshot

    def _show_start(self) -> None:
        """On the worker, at start: the network as given is snapshot 0."""
        snapshot = self._snapshot(0)
        self._refresh_view(None, None, snapshot.confusion)

    def _after_change(self) -> None:
        """On the worker, after a run, a teach, or at start: score and show the network."""
        accuracy, loss, confusion = score(self.model, self.data.X_eval, self.data.y_eval)
        with self.cond:
            self.test = (accuracy, loss)
        self._refresh_view(None, self.run, confusion)

    def _adopt(self, model: Network) -> None:
        """Make `model` the current network (a new run's), with its copies for the readers."""
        self.model = model
        self._step_stats: list[dict] | None = None  # of the last step shown
        with self.view_lock:
            self.viewer = clone(model)
            self.snapshot_viewer = clone(model)
            self.snapshots = Snapshots()

    def _refresh_view(
        self,
        activations: list[np.ndarray] | None,
        run: LiveRun | None,
        confusion: np.ndarray | None = None,
    ) -> None:
        """On the worker: copy the weights to the viewer and rebuild what /api/view shows."""
        model = self.model
        if activations is not None:  # first: they are buffers the next step overwrites
            stats = self._step_stats = layer_statistics(model, activations)
        else:  # between epochs, after teaching: the last step's dead units still stand
            stats = self._step_stats or layer_statistics(model, None, run is not None)
        X_test, y_test = self.data.X_eval, self.data.y_eval
        source = f"all {len(y_test):,} test images"
        if confusion is None:  # mid-epoch: a quicker look
            _, _, confusion = score(model, X_test[:PROBE], y_test[:PROBE])
            source = f"the first {min(PROBE, len(y_test)):,} test images (live)"
        view = {
            "strip": strip_view(model, X_test[self.strip], y_test[self.strip]),
            "confusion": confusion.tolist(),
            "confusion_n": int(confusion.sum()),
            "confusion_source": source,
            "filters": first_layer_filters(model),
            "layers": stats,
        }
        with self.view_lock:
            put_weights(self.viewer, weights_of(model))  # one copy, straight into the viewer
        now = time.perf_counter()
        with self.cond:
            if run is not None:
                step, then = self._last_rate
                if run.step > step and now > then:
                    images = (run.step - step) * run.settings.batch_size
                    run.images_per_second = images / (now - then)
                self._last_rate = (run.step, now)
            self.version += 1
            self.view = {**view, "version": self.version}

    def close(self, seconds: float = 60.0) -> None:
        """Stop a run under way and wait until the worker is idle: a process must not exit while
        the worker is inside a BLAS call (OpenBLAS can then hang at exit, joining its threads)."""
        with self.cond:
            if self.run is not None and self.run.under_way:
                self.run.stop_requested = True
                self.cond.notify_all()
        idle = threading.Event()
        self.worker.submit(idle.set, wait=False)
        idle.wait(seconds)

    # --- the page's controls -----------------------------------------------------------------
    def control(self, action: str) -> dict:
        """POST /api/train/pause, resume, step or stop; waits until the run has done it."""
        with self.cond:
            run = self.run
            if run is None or not run.under_way:
                state = run.shown_state if run else "idle"
                raise Refused(f"no run is under way (state {state}); start one first")
            run.control(action)
            self.version += 1
            self.cond.notify_all()
        return self.status()

    def set_lr(self, payload: object) -> dict:
        """POST /api/lr: the run's learning rate from now on (its schedule continues from it)."""
        lr = learning_rate_from_json(payload)
        with self.cond:
            if self.run is None or not self.run.under_way:
                raise Refused("no run is under way: the learning rate is set when starting one")
            self.run.lr_scale = lr / self.run.base_lr
            self.version += 1
            return {"lr": self.run.lr}

    # --- what the page reads -------------------------------------------------------------------
    def status(self) -> dict:
        """GET /api/train."""
        with self.cond:
            accuracy, loss = self.test if self.test else (None, None)
            run = self.run.report() if self.run else IDLE_REPORT
            return {
                **run,
                "network": describe_network(self.model),
                "test_accuracy": accuracy,
                "test_loss": loss,
                "version": self.version,
            }

    def live_view(self) -> dict:
        """GET /api/view."""
        with self.cond:
            return self.view

    def snapshot_list(self) -> dict:
        """GET /api/snapshots."""
        with self.view_lock:
            return {"snapshots": self.snapshots.summary()}

    def snapshot(self, epoch: str) -> dict:
        """GET /api/snapshot/<epoch>: that epoch's scores and first-layer weights."""
        with self.view_lock:
            snapshot = self._find(int(parse_epoch(epoch) or 0))
            put_weights(self.snapshot_viewer, snapshot.weights)
            filters = first_layer_filters(self.snapshot_viewer)
        return {
            "epoch": snapshot.epoch,
            "test_accuracy": snapshot.test_accuracy,
            "confusion": snapshot.confusion.tolist(),
            "filters": filters,
        }

    def _find(self, epoch: int) -> Snapshot:
        found = self.snapshots.find(epoch)
        if found is None:
            kept = [s.epoch for s in self.snapshots.items]
            raise NotFound(f"no snapshot of epoch {epoch}; kept: {kept}")
        return found

    # --- drawing, teaching, saving ---------------------------------------------------------------
    def predict(self, payload: object) -> dict:
        """POST /predict: the drawing read by the current weights, or by a snapshot's."""
        image = parse_image(payload)
        assert isinstance(payload, dict)  # parse_image has checked
        epoch = parse_epoch(payload.get("epoch"))
        with self.view_lock:
            network = self.viewer
            if epoch is not None:
                put_weights(self.snapshot_viewer, self._find(epoch).weights)
                network = self.snapshot_viewer
            answer = predict_image(network, image)
        return {**answer, "epoch": epoch}

    def teach(self, payload: object) -> dict:
        """POST /api/teach: a few steps on the drawing with its right label (on the worker)."""
        label = label_from_json(payload)
        field = to_mnist(parse_image(payload), "image")
        x = field.reshape(1, -1)

        def job() -> dict:
            started = time.perf_counter()
            before = self.model.predict_proba(x)[0]
            accuracy_before = self.model.score(self.data.X_eval, self.data.y_eval)
            self.taught.add(field, label)  # first: a drawing that cannot be kept is not taught
            steps = teach(
                self.model,
                field,
                label,
                self.data.X_train,
                self.data.y_train,
                self.taught,
                self.rng,
            )
            after = self.model.predict_proba(x)[0]
            self._after_change()
            assert self.test is not None
            return {
                "before": before.tolist(),
                "after": after.tolist(),
                "test_accuracy_before": accuracy_before,
                "test_accuracy_after": self.test[0],
                "steps": steps,
                "seconds": round(time.perf_counter() - started, 3),
                "taught": len(self.taught),
                "taught_path": str(self.taught.path),
            }

        return self.worker.submit(job)

    def save(self, payload: object) -> dict:
        """POST /api/save: the current network into the save folder, never elsewhere."""
        name = save_name_from_json(payload)
        path = self.files.target(name)
        self.worker.submit(lambda: self.model.save(path))
        self.files.mark_saved(name)
        return {"path": str(path), "download": f"/api/download/{name}"}

    def download(self, name: str) -> bytes:
        """GET /api/download/<name>: a model file saved from this page."""
        return self.files.read(name)
