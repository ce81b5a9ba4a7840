"""Exercise 6: Adam.

Read docs/backprop.md, section 6 ("Updating the weights"). Replace the
`raise NotImplementedError` with your code, then run:  digitnet learn check adam
"""

import numpy as np


def adam_step(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    m: list[np.ndarray],
    v: list[np.ndarray],
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> None:
    """Adam's step number t (1 at the first step).

    m, v: the running means of the gradients and of their squares, one array per parameter,
    zeros before the first step; keep them in their lists (in place, or store the new ones).
    Update params in place; return nothing.
    """
    raise NotImplementedError
