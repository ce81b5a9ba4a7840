"""Exercise 11: max-pooling, forward and backward.

Read docs/backprop.md, section 12 ("Max-pooling"). Replace each `raise NotImplementedError`
with your code, then run:  digitnet learn check maxpool
"""

import numpy as np


def maxpool2d(x: np.ndarray, k: int = 2, stride: int = 2) -> np.ndarray:
    """y[n, c, i, j] = the largest x[n, c] in the k x k window at (stride i, stride j).

    x: (N, C, H, W). Returns y (N, C, H_out, W_out), H_out = (H - k) // stride + 1 (rows and
    columns that fit no whole window are left out).
    """
    raise NotImplementedError


def maxpool2d_backward(
    x: np.ndarray, grad_out: np.ndarray, k: int = 2, stride: int = 2
) -> np.ndarray:
    """dL/dx from grad_out = dL/dy (N, C, H_out, W_out). Returns dx (N, C, H, W).

    Windows may overlap (stride < k); in a window whose largest value appears twice, the
    gradient goes to the first in row-major order.
    """
    raise NotImplementedError
