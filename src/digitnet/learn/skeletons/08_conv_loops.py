"""Exercise 8: convolution by loops.

Read docs/backprop.md, section 8 ("Convolution is a cross-correlation"). Replace the
`raise NotImplementedError` with your code, then run:  digitnet learn check conv_loops
"""

import numpy as np


def conv2d_loops(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """z[n, o, i, j] = b[o] + sum over (c, ki, kj) of W[o, c, ki, kj] x_pad[n, c, si+ki, sj+kj].

    x: (N, C, H, W) images; W: (C_out, C, k, k) kernels; b: (C_out,); x_pad is x with `padding`
    zeros on every side. Returns z (N, C_out, H_out, W_out), H_out = (H + 2 padding - k) //
    stride + 1 (and W_out likewise). Python loops are fine here: the next exercise is fast.
    """
    raise NotImplementedError
