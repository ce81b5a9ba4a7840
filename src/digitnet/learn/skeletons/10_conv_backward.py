"""Exercise 10: convolution's backward.

Read docs/backprop.md, sections 10 ("Gradients of the kernel and the bias") and 11 ("Gradient of
the input: a full convolution with the flipped kernel"). Replace the `raise NotImplementedError`
with your code, then run:  digitnet learn check conv_backward
"""

import numpy as np


def conv2d_backward(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dL/dx, dL/dW, dL/db) of z = conv2d(x, W, b, stride, padding), from grad_out = dL/dz.

    x: (N, C, H, W); W: (C_out, C, k, k); grad_out: (N, C_out, H_out, W_out).
    Returns dx (N, C, H, W), dW (C_out, C, k, k), db (C_out,). Loops or im2col: both are fine.
    """
    raise NotImplementedError
