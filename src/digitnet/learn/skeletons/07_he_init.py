"""Exercise 7: He initialisation.

Read docs/backprop.md, section 1 ("The forward pass") and the docstring of digitnet's
nn/init.py. Replace the `raise NotImplementedError` with your code, then run:
digitnet learn check he_init
"""

import numpy as np


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """A dense layer's weights W (fan_in, fan_out) for a layer followed by ReLU.

    Each entry drawn from a normal distribution, mean 0, variance 2 / fan_in, using rng (the
    same seed must give the same W).
    """
    raise NotImplementedError
