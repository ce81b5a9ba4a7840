"""Exercise 5: gradient descent with momentum.

Read docs/backprop.md, section 6 ("Updating the weights"). Replace the
`raise NotImplementedError` with your code, then run:  digitnet learn check momentum
"""

import numpy as np


def momentum_step(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    velocities: list[np.ndarray],
    lr: float,
    momentum: float = 0.9,
) -> None:
    """One step of SGD with momentum, as torch.optim.SGD takes it.

    params, grads: as in sgd_step. velocities: one array per parameter, zeros before the first
    step, kept between steps (update them in place, or store the new ones in the list).
    Update params in place; return nothing.
    """
    raise NotImplementedError
