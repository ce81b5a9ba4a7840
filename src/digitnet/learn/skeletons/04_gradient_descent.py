"""Exercise 4: one step of plain gradient descent.

Read docs/backprop.md, section 6 ("Updating the weights"). Replace the
`raise NotImplementedError` with your code, then run:  digitnet learn check gradient_descent
"""

import numpy as np


def sgd_step(params: list[np.ndarray], grads: list[np.ndarray], lr: float) -> None:
    """Move every parameter against its gradient: p <- p - lr * g.

    params: the network's arrays (W1, b1, W2, ...); grads: their gradients, the same shapes.
    Update the arrays in params in place; return nothing.
    """
    raise NotImplementedError
