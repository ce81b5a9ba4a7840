"""The drawing pad's image: the JSON rows the page sends, checked, and what the network makes of
them (the answer of POST /predict: digit, how sure, probabilities, the 28x28 input, every hidden
layer's activations, and the "why" map)."""

from __future__ import annotations

import math

import numpy as np

from ...data.preprocess import to_mnist
from ...errors import DigitnetError
from ...nn.losses import softmax
from ...nn.network import Network
from ...reading.answers import read_probabilities

MIN_SIDE, MAX_SIDE = 8, 560


def parse_image(payload: object) -> np.ndarray:
    """Validate the JSON body of /predict and return its image as a float32 array."""
    if not isinstance(payload, dict) or "image" not in payload:
        raise DigitnetError('expected a JSON object {"image": [[...], ...]}')
    rows = payload["image"]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise DigitnetError('"image" must be a list of rows, each a list of numbers')
    height, width = len(rows), len(rows[0])
    if not (MIN_SIDE <= height <= MAX_SIDE and MIN_SIDE <= width <= MAX_SIDE):
        raise DigitnetError(
            f'"image" is {width}x{height}; each side must be between {MIN_SIDE} and {MAX_SIDE}'
        )
    if any(len(r) != width for r in rows):
        raise DigitnetError('"image" rows must all have the same length')
    for row in rows:
        for value in row:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise DigitnetError(f'"image" values must be numbers, got {value!r}')
            if not (0.0 <= value <= 1.0) or math.isnan(value):
                raise DigitnetError(f'"image" values must be in [0, 1], got {value!r}')
    return np.asarray(rows, dtype=np.float32)


def predict_image(model: Network, image: np.ndarray) -> dict:
    """The /predict answer for a grayscale image (ink bright): digit, confidence, whether sure
    (as `digitnet predict` reads it), probabilities, the 28x28 input the network saw, and every
    hidden layer's activations."""
    field = to_mnist(image, "image")
    hidden: list[np.ndarray] = []  # each activation layer's output
    x = field.reshape(1, *model.input_shape).astype(model.dtype)
    logits = model.forward(x, activations=hidden)
    probs = softmax(logits.astype(np.float64))[0]
    if not np.all(np.isfinite(probs)):
        raise DigitnetError("the network's weights are not finite numbers: train it anew")
    answer = {
        **read_probabilities(probs),  # digit, confidence, sure, probabilities
        "input": np.round(field, 3).tolist(),
        "activations": [activation_values(h[0]) for h in hidden],
    }
    # "why": the gradient of the digit's score (its logit) with respect to each input pixel
    saliency = model.input_gradient(x, np.array([answer["digit"]]))[0].reshape(field.shape)
    answer["saliency"] = np.round(saliency.astype(np.float64), 5).tolist()
    return answer


def activation_values(h: np.ndarray) -> list:
    """One image's activations of one layer as JSON lists: a vector (D,) to 4 decimals, feature
    maps (C, H, W) to 3 (they are many, and 3 decimals is still finer than a grey level)."""
    decimals = 4 if h.ndim == 1 else 3
    return np.round(h.astype(np.float64), decimals).tolist()  # float64: no float32 tails


def parse_epoch(value: object) -> int | None:
    """A snapshot's epoch from a URL or JSON: a whole number >= 0, or None for "now"."""
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise DigitnetError(f"an epoch must be a whole number >= 0, got {value!r}")
