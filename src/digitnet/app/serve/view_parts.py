"""What the live page shows of a network while it learns, as JSON-able values: the first layer's
weights as pictures, per-layer statistics, a strip of test digits, the confusion matrix; and the
per-epoch snapshots behind the page's time slider (a bounded number of them)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np

from ...nn.conv import Conv2D
from ...nn.dense import Dense
from ...nn.losses import cross_entropy_sum
from ...nn.metrics import confusion_matrix
from ...nn.network import Network
from ...nn.spec import spec_of
from ...training.histograms import ACTIVATION_BINS, GRADIENT_BINS, TARGET_RATIO, LayerHistograms

STRIP_SIZE = 24  # test digits shown with their current prediction
MAX_FILTERS = 64  # first-layer units or filters shown
MAX_SNAPSHOTS = 20  # per run; past that, the closest-spaced ones are dropped (thinned)


def strip_indices(labels: np.ndarray, size: int = STRIP_SIZE) -> np.ndarray:
    """Test images for the strip: the first images of each digit in turn (0, 1, ..., 9, 0, ...),
    so that every digit appears."""
    by_digit = [np.flatnonzero(labels == d) for d in range(10)]
    chosen = [by_digit[i % 10][i // 10] for i in range(size) if i // 10 < len(by_digit[i % 10])]
    return np.array(chosen, dtype=np.int64)


def strip_view(model: Network, images: np.ndarray, labels: np.ndarray) -> dict:
    """The strip: its test digits (uint8, as base64), their labels, the network's readings."""
    return {
        "labels": labels.tolist(),
        "predictions": model.predict(images).tolist(),
        "images": pixels_base64(images),
    }


def pixels_base64(images: np.ndarray) -> str:
    """uint8 images (any shape) as base64 text, row-major: compact for JSON."""
    return base64.b64encode(np.ascontiguousarray(images, dtype=np.uint8).tobytes()).decode()


def first_layer_filters(model: Network) -> dict:
    """The first weight layer's weights as pictures: a conv layer's filters (of its first input
    channel), or the first MAX_FILTERS units of a dense layer on square images, each as uint8
    with 128 for 0 and each scaled by its own largest |weight|. Count 0 if neither applies."""
    layer = next((layer for layer in model.layers if layer.params), None)
    tiles = None
    if isinstance(layer, Conv2D):
        tiles = layer.params["W"][:MAX_FILTERS, 0]  # (C_out, k, k)
    elif isinstance(layer, Dense):
        side = int(round(layer.in_features**0.5))
        if side * side == layer.in_features:  # (D_in, D_out) -> units as side x side pictures
            tiles = layer.params["W"][:, :MAX_FILTERS].T.reshape(-1, side, side)
    if tiles is None:
        return {"count": 0, "height": 0, "width": 0, "data": ""}
    tiles = tiles.astype(np.float64)
    largest = np.abs(tiles).max(axis=(1, 2), keepdims=True)
    scaled = 128 + 127 * tiles / np.where(largest > 0, largest, 1)
    count, height, width = tiles.shape
    return {"count": count, "height": height, "width": width, "data": pixels_base64(scaled)}


def layer_statistics(
    model: Network, activations: list[np.ndarray] | None, with_gradients: bool = True
) -> list[dict]:
    """Per weight layer: the root mean square of its weights and of their last gradients, and
    the share of dead units after it (units of the next activation that were 0 for every image
    of the batch whose `activations` are given; for a conv layer, channels 0 everywhere)."""
    rows: list[dict] = []
    outputs = iter(activations or [])
    for layer in model.layers:
        if layer.is_activation:  # the first activation after a weight layer: its units
            h = next(outputs, None)
            if rows and h is not None and rows[-1]["dead"] is None:
                rows[-1]["dead"] = dead_share(h)
        elif "W" in layer.params:
            rows.append(
                {
                    "name": spec_of(layer),
                    "weights_rms": rms(layer.params["W"]),
                    "gradients_rms": rms(layer.grads["W"]) if with_gradients else None,
                    "dead": None,
                }
            )
    return rows


def dead_share(h: np.ndarray) -> float:
    """Share of units (features, or channels of feature maps) that are 0 for the whole batch."""
    per_unit = h.reshape(len(h), h.shape[1], -1) if h.ndim > 2 else h[:, :, None]
    alive = np.any(per_unit != 0, axis=(0, 2))
    return float(1 - alive.mean())


def rms(a: np.ndarray) -> float:
    """Root mean square of an array's entries."""
    return float(np.sqrt(np.mean(np.square(a, dtype=np.float64))))


@dataclass
class Snapshot:
    """The network at the end of an epoch (0: before training), and how it scored then."""

    epoch: int
    weights: list[np.ndarray]  # a copy of the flat parameters, then each layer's state arrays
    test_accuracy: float
    test_loss: float
    confusion: np.ndarray  # (10, 10) on the whole test set


def weights_of(model: Network) -> list[np.ndarray]:
    """Everything that decides the network's answers, as views: the flat parameters, then each
    layer's state arrays."""
    return [model.flat_params, *(a for layer in model.layers for a in layer.state.values())]


def take_weights(model: Network) -> list[np.ndarray]:
    """A copy of weights_of(model) (a snapshot)."""
    return [a.copy() for a in weights_of(model)]


def put_weights(model: Network, weights: list[np.ndarray]) -> None:
    """Write weights (from weights_of or take_weights, of a network of the same layers) into
    `model`."""
    for target, source in zip(weights_of(model), weights):
        target[...] = source


class Snapshots:
    """At most MAX_SNAPSHOTS snapshots of one run, the first and the latest always kept; when
    full, the one closest in epochs to the snapshot before it is dropped, so that those left
    spread over the whole run."""

    def __init__(self, limit: int = MAX_SNAPSHOTS) -> None:
        self.limit = limit
        self.items: list[Snapshot] = []

    def add(self, snapshot: Snapshot) -> None:
        """Keep `snapshot` (dropping an earlier one if full)."""
        self.items.append(snapshot)
        if len(self.items) > self.limit:
            gaps = [
                self.items[i + 1].epoch - self.items[i - 1].epoch
                for i in range(1, len(self.items) - 1)
            ]
            del self.items[1 + int(np.argmin(gaps))]

    def find(self, epoch: int) -> Snapshot | None:
        """The snapshot of `epoch`, if kept."""
        return next((s for s in self.items if s.epoch == epoch), None)

    def summary(self) -> list[dict]:
        """Epoch and test accuracy of each snapshot, oldest first."""
        return [{"epoch": s.epoch, "test_accuracy": s.test_accuracy} for s in self.items]


def score(model: Network, X: np.ndarray, y: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Test accuracy, loss and confusion matrix of `model` on (X, y), in one pass."""
    logits = model.predict_logits(X)
    predicted = logits.argmax(axis=1)
    accuracy = float(np.mean(predicted == y))
    loss = cross_entropy_sum(logits, y) / len(y)
    return accuracy, float(loss), confusion_matrix(predicted, y)


def histogram_view(record: LayerHistograms | None) -> dict | None:
    """A run's per-layer histograms and update ratios for the page: per layer, each sample's
    share of the values in each bin as round(10 log10 share), -40 for none (compact JSON)."""
    if record is None or not record.steps:
        return None

    def shares(counts: dict[str, list[np.ndarray]]) -> list[dict]:
        layers = []
        for name, samples in counts.items():
            grid = np.array(samples, dtype=float)  # (samples, bins)
            share = grid / np.maximum(grid.sum(axis=1, keepdims=True), 1)
            tenths = np.round(10 * np.log10(np.maximum(share, 1e-4))).astype(int)
            layers.append({"name": name, "shares": tenths.tolist()})
        return layers

    return {
        "steps": list(record.steps),
        "activation_range": [float(ACTIVATION_BINS[0]), float(ACTIVATION_BINS[-1])],
        "gradient_range": [float(GRADIENT_BINS[0]), float(GRADIENT_BINS[-1])],
        "activations": shares(record.activations),
        "gradients": shares(record.gradients),
        "ratio_steps": list(record.ratio_steps),
        "ratios": [{"name": n, "values": v} for n, v in record.ratios.items()],
        "target_ratio": TARGET_RATIO,
    }
