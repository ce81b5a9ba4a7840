"""How a network's ten probabilities are read out, for the command line and the page alike: the
digit, how sure, and whether that is sure enough to call."""

from __future__ import annotations

import numpy as np

# Below this top probability an answer is called unsure: chosen on MNIST's test set so that it
# flags about half of the default model's mistakes while doubting few of its right answers
# (the figures are in docs/cli.md, under predict).
UNSURE_BELOW = 0.8


def read_probabilities(probs: np.ndarray) -> dict:
    """The digit, its probability, whether it is sure (>= UNSURE_BELOW), every probability."""
    digit = int(probs.argmax())
    return {
        "digit": digit,
        "confidence": float(probs[digit]),
        "sure": bool(probs[digit] >= UNSURE_BELOW),
        "probabilities": [float(p) for p in probs],
    }
