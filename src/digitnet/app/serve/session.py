"""Everything `digitnet serve` holds while the page trains, draws and teaches: the current network,
the data, the run under way, the taught drawings, the saved files; what the page reads of them
lives in live_view.py.

Threads. The HTTP server answers each request on a thread of its own; one worker thread owns the
network: only it trains, teaches or saves. Requests that need the network hand the worker a job
and wait for its answer; during a run the worker takes jobs between two steps (and while paused).
/predict and /api/read-number never wait for the network: they read the LiveView's copy of the
weights, which the worker refreshes a few times a second. `cond` guards the run's state and
records.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from ...checks import integer
from ...data.datasets import DataSplits
from ...errors import DigitnetError
from ...learn.parts import Parts, learner_optimizer, use_parts
from ...nn.network import Network
from ...optim import Optimizer
from ...training.callbacks import LambdaCallback
from ...training.settings import optimizer_of
from ..networks import describe_network
from .drawing import (
    NUMBER_MAX_HEIGHT,
    NUMBER_MAX_WIDTH,
    field_to_teach,
    parse_epoch,
    parse_image,
)
from .errors import Refused
from .live_view import LiveView
from .log import LOG
from .options import page_options
from .requests import (
    label_from_json,
    learning_rate_from_json,
    save_name_from_json,
    settings_from_json,
)
from .run import IDLE_REPORT, LiveRun, StopRun, run_network
from .save_folder import SaveFolder
from .teach import TaughtSet, lesson
from .view_parts import Snapshot, histogram_view, put_weights, score, take_weights
from .worker import Worker


class LiveSession:
    """The state behind the live page (see the module docstring for who touches what)."""

    def __init__(
        self,
        model: Network,
        data: DataSplits,
        save_dir: Path,
        seed: int = 0,
        threads: int | None = None,
        parts: Parts | None = None,
    ) -> None:
        self.threads = threads  # for every network the page trains or scores (None: the cores)
        self.parts = parts  # a learner's parts (serve --parts): every run trains with them
        if parts is not None:
            use_parts(model, parts, draw_weights=False)
        model.threads = threads  # None: the default
        self.model = model
        self.data = data
        self.save_dir = save_dir
        self.files = SaveFolder(save_dir)
        self.taught = TaughtSet(save_dir / "taught.csv", model.class_names)
        self.rng = np.random.default_rng(seed)  # teach's distortions and replayed images
        self.cond = threading.Condition()
        self.worker = Worker(self.cond)
        self.run: LiveRun | None = None
        self.version = 0
        # accuracy and loss on the whole test set, when last scored (at the start of a run,
        # after each epoch, after a run or a teach)
        self.test: tuple[float, float] | None = None
        self.view: dict = {}  # GET /api/view, guarded by cond
        self.live = LiveView(data.X_eval, data.y_eval)
        self.live.adopt(model)
        self.worker.submit(self._show_start)

    def start_run(self, payload: object) -> dict:
        """POST /api/train: check the request, then train on the worker (answers at once).

        Takes {"preset" or "layers" or "continue": true, "optimizer", "lr", "batch_size",
        "epochs", "limit", "augment", "seed"}; a key left out takes `digitnet train`'s default.
        Answers as GET /api/train; 409 while a run is under way."""
        settings, keep_going = settings_from_json(payload)
        settings.threads = self.threads
        self._refuse_if_under_way()  # early, before building a network (again below, locked)
        X, y = self.data.X_train, self.data.y_train
        if settings.limit is not None:
            integer('"limit"', settings.limit, 1, len(X))
            X, y = X[: settings.limit], y[: settings.limit]
        model = None if keep_going else run_network(settings, X.shape[1], self.model.class_names)
        optimizer = optimizer_of(settings)
        if self.parts is not None:
            if model is not None:
                use_parts(model, self.parts)
            optimizer = learner_optimizer(optimizer, self.parts)
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

    def _train(
        self,
        run: LiveRun,
        model: Network | None,
        optimizer: Optimizer,
        X: np.ndarray,
        y: np.ndarray,
    ) -> None:
        """On the worker: the whole run, then its end state (done, or failed and why)."""
        state, error = "done", None
        try:
            if model is not None:
                self._adopt(model)
            self.live.start_run()
            self._snapshot(0)
            run.on_step = lambda logs: self._after_step(run, logs)
            epoch_end = LambdaCallback(lambda epoch, logs: self._after_epoch(run, epoch, logs))
            run.train(self.model, optimizer, X, y, epoch_end)
        except StopRun:
            pass
        except DigitnetError as problem:  # divergence, or what the settings could not do
            state, error = "failed", str(problem)
        except Exception as problem:  # a bug, or no memory: say so on the page, serve on
            state, error = "failed", f"{type(problem).__name__}: {problem}"
            LOG.error("the run failed: %s", error)
        finally:
            last = self.live.last_snapshot()
            if state == "failed" and last is not None:  # back to finite weights
                put_weights(self.model, last.weights)
                error = f"{error}; the network is back at its weights of epoch {last.epoch}"
            with self.cond:
                run.state, run.error, run.paused = state, error, False
                self.cond.notify_all()
        self._after_change()

    def _after_step(self, run: LiveRun, logs: dict) -> None:
        """On the worker after each step: now and then, refresh the live view."""
        if self.live.due(run.paused):
            self._refresh_view(logs["activations"], run)

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
        self.live.keep(snapshot)
        with self.cond:
            self.test = (accuracy, loss)
        return snapshot

    def _show_start(self) -> None:
        """On the worker, at start: the network as given is snapshot 0."""
        snapshot = self._snapshot(0)
        self._refresh_view(None, None, snapshot.confusion)

    def _after_change(self) -> float:
        """On the worker, after a run or a teach: score and show the network; its accuracy."""
        accuracy, loss, confusion = score(self.model, self.data.X_eval, self.data.y_eval)
        with self.cond:
            self.test = (accuracy, loss)
        self._refresh_view(None, self.run, confusion)
        return accuracy

    def _adopt(self, model: Network) -> None:
        """Make `model` the current network (a new run's), with its copies for the readers."""
        self.model = model
        self.live.adopt(model)

    def _refresh_view(
        self,
        activations: list[np.ndarray] | None,
        run: LiveRun | None,
        confusion: np.ndarray | None = None,
    ) -> None:
        """On the worker: rebuild what /api/view shows (and the viewer's weights)."""
        view = self.live.build(self.model, activations, run is not None, confusion)
        shown = run if run is not None else self.run  # after a run: its histograms stay
        view["histograms"] = histogram_view(shown.statistics if shown is not None else None)
        now = time.perf_counter()
        with self.cond:
            if run is not None:
                run.measure_rate(now)
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

    def control(self, action: str) -> dict:
        """POST /api/train/pause, /resume, /step or /stop: waits until the run has done it.

        A step is exactly one batch. Answers as GET /api/train; 409 when the run's state does
        not allow it."""
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
        """POST /api/lr: the run's learning rate from now on (its schedule continues from it).

        Takes {"lr"}; answers {"lr"}; 409 when no run is under way."""
        lr = learning_rate_from_json(payload)
        with self.cond:
            if self.run is None or not self.run.under_way:
                raise Refused("no run is under way: the learning rate is set when starting one")
            self.run.lr_scale = lr / self.run.base_lr
            self.version += 1
            return {"lr": self.run.lr}

    def status(self) -> dict:
        """GET /api/train: the run's state and progress, and the network's test scores.

        {"state": "idle/running/paused/done/failed", "error", "epoch", "epochs", "step",
        "steps_per_epoch", "lr", "network", "settings", "images_per_second" (null while paused),
        "test_accuracy", "test_loss", "history": [one per epoch], "batches": [training points],
        "version"}."""
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
        """GET /api/view: what the page shows of the network now.

        The strip, the confusion matrix, the first layer's pictures, the layer statistics;
        "accuracy" (of that confusion matrix) and "probe" (true mid-epoch: the first 500 test
        images); "histograms" of the current or last run (null before one): "steps", per layer
        "activations" and "gradients" as each sample's share of the values per bin, round(10
        log10 share), with their "activation_range" and "gradient_range", and "ratios"
        (update-to-weight, at "ratio_steps") with "target_ratio"."""
        with self.cond:
            return self.view

    def snapshot_list(self) -> dict:
        """GET /api/snapshots: the epochs whose weights are kept, to look back at."""
        return self.live.snapshot_list()

    def snapshot(self, epoch: str) -> dict:
        """GET /api/snapshot/<epoch>: that epoch's scores and first-layer weights."""
        return self.live.snapshot(int(parse_epoch(epoch) or 0))

    def options(self) -> dict:
        """GET /api/options: what the Train panel offers, for this session's training set.

        {"presets", "defaults", "choices", "training_images", "classes", "digits", "drawing"}:
        each preset's settings, the defaults of a run started from the page (5 epochs), the
        names each setting may take (optimizers, schedules, activations, dtypes, distortions),
        the most images "limit" may ask for, the classes' names ("digits": whether they are the
        digits), and the smallest drawing that counts as a digit. The page reads it when it
        starts, so it copies none of them."""
        return page_options(len(self.data.X_train), self.model.classes)

    def predict(self, payload: object) -> dict:
        """POST /predict: the drawing read by the current weights, or by a snapshot's.

        Takes {"image", "epoch"?}: rows of grayscale values in [0, 1], ink bright; answers
        {"digit", "class", "confidence", "sure", "probabilities", "input", "activations",
        "saliency", "epoch"}, as "The drawing pad's endpoint" in docs/live.md spells out."""
        image = parse_image(payload)
        assert isinstance(payload, dict)  # parse_image has checked
        epoch = parse_epoch(payload.get("epoch"))
        return {**self.live.predict(image, epoch), "epoch": epoch}

    def read_number(self, payload: object) -> dict:
        """POST /api/read-number: the number on the wide pad, read by the current weights.

        Takes {"image"}; answers {"number", "sure", "digits"}, as "The number pad's endpoint" in
        docs/live.md spells out; 400 for a network of other classes than digits."""
        return self.live.read_number(parse_image(payload, NUMBER_MAX_WIDTH, NUMBER_MAX_HEIGHT))

    def teach(self, payload: object) -> dict:
        """POST /api/teach: steps on the drawing or a number's digit, with its label (worker).

        Takes {"image" or "field", "label"}; answers {"before": [10], "after": [10],
        "test_accuracy_before", "test_accuracy_after", "steps", "seconds", "taught",
        "taught_path"}. "field" is a number's digit, its 28x28 "input" as /api/read-number gave
        it, taught as it is (28x28, values in [0, 1], some ink; not with "image" too)."""
        label = label_from_json(payload)
        field = field_to_teach(payload)

        def job() -> dict:
            started = time.perf_counter()
            answer = lesson(self.model, field, label, self.data, self.taught, self.rng)
            answer["test_accuracy_after"] = self._after_change()
            return {**answer, "seconds": round(time.perf_counter() - started, 3)}

        return self.worker.submit(job)

    def save(self, payload: object) -> dict:
        """POST /api/save: the current network into the save folder, never elsewhere.

        Takes {"name": "my-model.npz"}; answers {"path", "download"}. A name with a folder,
        ".." or not ending in ".npz" is refused, and so is a file the page did not write."""
        name = save_name_from_json(payload)
        path = self.files.target(name)
        self.worker.submit(lambda: self.model.save(path))
        self.files.mark_saved(name)
        return {"path": str(path), "download": f"/api/download/{name}"}

    def download(self, name: str) -> bytes:
        """GET /api/download/<name>: a model file saved from this page (nothing else)."""
        return self.files.read(name)
