"""Exercise 12: (inverted) dropout, as used while training.

Read docs/backprop.md, section 16 ("Dropout: inverted scaling"). Replace each
`raise NotImplementedError` with your code, then run:  digitnet learn check dropout
"""

import numpy as np


def dropout_forward(
    x: np.ndarray, p: float, rng: np.random.Generator
) -> tuple[np.ndarray, object]:
    """Zero each entry of x with probability p, and scale what is kept.

    x: any shape; p: the probability of dropping an entry, in [0, 1); rng: draw the mask from it.
    Returns (y, cache): y the shape of x, and whatever your dropout_backward needs.
    """
    raise NotImplementedError


def dropout_backward(grad_out: np.ndarray, cache: object) -> np.ndarray:
    """dL/dx from grad_out = dL/dy and the cache dropout_forward returned. Returns dx."""
    raise NotImplementedError
