"""Exercise 3: a dense (fully connected) layer, forward and backward.

Read docs/backprop.md, section 3 ("Dense layer: z = x W + b"). Replace each
`raise NotImplementedError` with your code, then run:  digitnet learn check dense
"""

import numpy as np


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z = x W + b.

    x: (N, D_in) a batch of rows; W: (D_in, D_out); b: (D_out,). Returns z (N, D_out).
    """
    raise NotImplementedError


def dense_backward(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dL/dx, dL/dW, dL/db) from grad_out = dL/dz (N, D_out).

    Returns dx (N, D_in), dW (D_in, D_out), db (D_out,): each the shape of what it is the
    gradient of. grad_out already carries the loss's 1/N.
    """
    raise NotImplementedError
