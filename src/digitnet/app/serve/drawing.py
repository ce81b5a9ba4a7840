"""The drawing pads' images: the JSON rows the page sends, checked, and what the network makes of
them (the answer of POST /predict: digit, its name, how sure, probabilities, the 28x28 input,
every hidden layer's activations, and the "why" map; and of POST /api/read-number: the number
written on the wide pad, each digit with its box and its 28x28 input)."""

from __future__ import annotations

import math

import numpy as np

from ...data.classes import short_names
from ...data.preprocess import to_mnist
from ...errors import DigitnetError
from ...nn.losses import softmax
from ...nn.network import Network
from ...reading import read_number
from ...reading.answers import read_probabilities

MIN_SIDE, MAX_SIDE = 8, 560
# The number pad's image, a line of digits: up to three times as wide as /predict's largest, as
# tall (the page sends its 840x280 pad at half size; a client of the API may send more).
NUMBER_MAX_WIDTH, NUMBER_MAX_HEIGHT = 1680, 560
FIELD_SIDE = 28  # the network's input, as a number's digit is sent back to be taught


def parse_image(
    payload: object, max_width: int = MAX_SIDE, max_height: int = MAX_SIDE
) -> np.ndarray:
    """Validate the JSON body of /predict (or /api/read-number's, wider) as a float32 image."""
    if not isinstance(payload, dict) or "image" not in payload:
        raise DigitnetError('expected a JSON object {"image": [[...], ...]}')
    rows = _rows(payload["image"], "image")
    height, width = len(rows), len(rows[0])
    if not (MIN_SIDE <= height <= max_height and MIN_SIDE <= width <= max_width):
        sides = (
            f"each side must be between {MIN_SIDE} and {max_width}"
            if max_width == max_height
            else f"the width must be between {MIN_SIDE} and {max_width}, the height between "
            f"{MIN_SIDE} and {max_height}"
        )
        raise DigitnetError(f'"image" is {width}x{height}; {sides}')
    return _pixels(rows, "image")


def parse_field(value: object) -> np.ndarray:
    """Validate the "field" of /api/teach (28x28, in [0, 1], some ink) as a float32 array."""
    rows = _rows(value, "field")
    height, width = len(rows), len(rows[0])
    if (height, width) != (FIELD_SIDE, FIELD_SIDE):
        raise DigitnetError(f'"field" is {width}x{height}; it must be {FIELD_SIDE}x{FIELD_SIDE}')
    field = _pixels(rows, "field")
    if not field.any():
        raise DigitnetError('"field" has no ink: send the input of a digit that was read')
    return field


def field_to_teach(payload: object) -> np.ndarray:
    """The 28x28 input /api/teach teaches: the "image" normalised, or the "field" as it is."""
    # a "field" is a number's digit as /api/read-number gave it: what the network saw
    if isinstance(payload, dict) and "field" in payload:
        if "image" in payload:
            raise DigitnetError('send "image" (a drawing) or "field" (a 28x28 input), not both')
        return parse_field(payload["field"])
    return to_mnist(parse_image(payload), "image")


def _rows(value: object, name: str) -> list[list]:
    """A JSON list of rows, each a list (_pixels checks their lengths and values)."""
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise DigitnetError(f'"{name}" must be a list of rows, each a list of numbers')
    return value


def _pixels(rows: list[list], name: str) -> np.ndarray:
    """Rows of equal length, of numbers in [0, 1], as a float32 array."""
    if any(len(r) != len(rows[0]) for r in rows):
        raise DigitnetError(f'"{name}" rows must all have the same length')
    for row in rows:
        for value in row:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise DigitnetError(f'"{name}" values must be numbers, got {value!r}')
            if not (0.0 <= value <= 1.0) or math.isnan(value):
                raise DigitnetError(f'"{name}" values must be in [0, 1], got {value!r}')
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
    check_finite(probs)
    answer = {
        **read_probabilities(probs),  # digit, confidence, sure, probabilities
        "input": np.round(field, 3).tolist(),
        "activations": [activation_values(h[0]) for h in hidden],
    }
    answer["class"] = model.classes[answer["digit"]]  # the digit's name ("3", or "Dress")
    # "why": the gradient of the digit's score (its logit) with respect to each input pixel
    saliency = model.input_gradient(x, np.array([answer["digit"]]))[0].reshape(field.shape)
    answer["saliency"] = np.round(saliency.astype(np.float64), 5).tolist()
    return answer


def read_number_image(model: Network, image: np.ndarray) -> dict:
    """The /api/read-number answer: read_number's to_dict(), each digit with its 28x28 input;
    refused for a network that reads other classes than the digits."""
    if not model.reads_digits:
        raise DigitnetError(
            f"the number pad reads digits only; this network reads {short_names(model.classes)}"
        )
    reading = read_number(model, image)
    check_finite(np.array([d.probabilities for d in reading.digits]))
    answer = reading.to_dict()
    for digit, read in zip(answer["digits"], reading.digits):
        digit["input"] = np.round(read.field.astype(np.float64), 3).tolist()  # no float32 tails
    return answer


def check_finite(probs: np.ndarray) -> None:
    """Refuse an answer whose probabilities are not finite: the weights have diverged."""
    if not np.all(np.isfinite(probs)):
        raise DigitnetError("the network's weights are not finite numbers: train it anew")


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
