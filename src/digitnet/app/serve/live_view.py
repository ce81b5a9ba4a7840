"""What the page reads without waiting for the worker, and the worker keeps up to date while it
trains: the live view (GET /api/view), the viewer (a copy of the weights, for POST /predict) and
the run's snapshots (the time slider, GET /api/snapshot/<epoch>). The worker rebuilds the view a
few times a second during a run; request threads read the copies under `lock`."""

from __future__ import annotations

import threading
import time

import numpy as np

from ...nn.network import Network
from .drawing import predict_image, read_number_image
from .errors import NotFound
from .view_parts import (
    Snapshot,
    Snapshots,
    first_layer_filters,
    layer_statistics,
    put_weights,
    score,
    strip_indices,
    strip_view,
    weights_of,
)

# Seconds between rebuilds of the view during a run: every VIEW_EVERY, or every 8 rebuilds' time
# where one takes longer, but at least once a VIEW_AT_LEAST; so that the views take a small share
# of the run's time (benchmarks/live_latency.py measures it).
VIEW_EVERY, VIEW_AT_LEAST = 0.5, 1.0
PROBE = 500  # test images behind the live confusion matrix between epochs


class LiveView:
    """The view of the network as it learns, its weights for the readers, and its snapshots."""

    def __init__(self, X_test: np.ndarray, y_test: np.ndarray) -> None:
        self.X_test, self.y_test = X_test, y_test
        self.strip = strip_indices(y_test)
        self.lock = threading.Lock()  # viewer, snapshot_viewer, snapshots
        self._step_stats: list[dict] | None = None  # of the last step shown
        self._last_built = 0.0  # when the view was last rebuilt
        self._build_seconds = 0.0  # how long that took

    def adopt(self, model: Network) -> None:
        """On the worker: `model` is the current network now (a new run's)."""
        self._step_stats = None
        with self.lock:
            self.viewer = model.copy()
            self.snapshot_viewer = model.copy()
            self.snapshots = Snapshots()

    def start_run(self) -> None:
        """On the worker, as a run starts: no snapshots yet, and its first step is shown."""
        self._last_built = 0.0
        with self.lock:
            self.snapshots = Snapshots()

    def due(self, paused: bool) -> bool:
        """After a step: whether to rebuild the view now (always while paused)."""
        every = min(VIEW_AT_LEAST, max(VIEW_EVERY, 8 * self._build_seconds))
        return paused or time.perf_counter() - self._last_built >= every

    def build(
        self,
        model: Network,
        activations: list[np.ndarray] | None,
        with_gradients: bool,
        confusion: np.ndarray | None = None,
    ) -> dict:
        """On the worker: copy the weights into the viewer and return what /api/view shows.
        `activations`: the last step's (buffers that the next step overwrites); `confusion`: on
        the whole test set if just scored, else the first PROBE test images are scored."""
        started = time.perf_counter()
        if activations is not None:
            stats = self._step_stats = layer_statistics(model, activations)
        else:  # between epochs, after teaching: the last step's dead units still stand
            stats = self._step_stats or layer_statistics(model, None, with_gradients)
        X, y = self.X_test, self.y_test
        probe = confusion is None
        source = f"all {len(y):,} test images"
        if confusion is None:  # mid-epoch: a quicker look
            _, _, confusion = score(model, X[:PROBE], y[:PROBE])
            source = f"the first {min(PROBE, len(y)):,} test images (live)"
        view = {
            "strip": strip_view(model, X[self.strip], y[self.strip]),
            "confusion": confusion.tolist(),
            "confusion_n": int(confusion.sum()),
            "confusion_source": source,
            "accuracy": float(np.trace(confusion) / max(1, confusion.sum())),
            "probe": probe,
            "filters": first_layer_filters(model),
            "layers": stats,
        }
        with self.lock:
            put_weights(self.viewer, weights_of(model))  # one copy, straight into the viewer
        self._last_built = started
        self._build_seconds = time.perf_counter() - started
        return view

    def keep(self, snapshot: Snapshot) -> None:
        """Keep a snapshot of the network (at the end of an epoch, or 0 at the start)."""
        with self.lock:
            self.snapshots.add(snapshot)

    def last_snapshot(self) -> Snapshot | None:
        """The latest snapshot kept, if any."""
        with self.lock:
            return self.snapshots.items[-1] if self.snapshots.items else None

    def snapshot_list(self) -> dict:
        """GET /api/snapshots."""
        with self.lock:
            return {"snapshots": self.snapshots.summary()}

    def snapshot(self, epoch: int) -> dict:
        """GET /api/snapshot/<epoch>: that epoch's scores and first-layer weights."""
        with self.lock:
            snapshot = self._find(epoch)
            put_weights(self.snapshot_viewer, snapshot.weights)
            filters = first_layer_filters(self.snapshot_viewer)
        return {
            "epoch": snapshot.epoch,
            "test_accuracy": snapshot.test_accuracy,
            "confusion": snapshot.confusion.tolist(),
            "filters": filters,
        }

    def predict(self, image: np.ndarray, epoch: int | None) -> dict:
        """POST /predict: the drawing read by the viewer's weights, or by a snapshot's."""
        with self.lock:
            network = self.viewer
            if epoch is not None:
                put_weights(self.snapshot_viewer, self._find(epoch).weights)
                network = self.snapshot_viewer
            return predict_image(network, image)

    def read_number(self, image: np.ndarray) -> dict:
        """POST /api/read-number: the number on the wide pad read by the viewer's weights."""
        with self.lock:
            return read_number_image(self.viewer, image)

    def _find(self, epoch: int) -> Snapshot:
        found = self.snapshots.find(epoch)
        if found is None:
            kept = [s.epoch for s in self.snapshots.items]
            raise NotFound(f"no snapshot of epoch {epoch}; kept: {kept}")
        return found
