"""Exercise 9: convolution as im2col and one matrix product.

Read docs/backprop.md, section 9 ("im2col: the convolution as one matrix product"). Replace
each `raise NotImplementedError` with your code, then run:  digitnet learn check conv_im2col
"""

import numpy as np


def im2col(x: np.ndarray, k: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    """The patch matrix: every k x k window of the padded images as one row.

    x: (N, C, H, W). Returns cols (N * H_out * W_out, C * k * k): row n * H_out * W_out +
    i * W_out + j holds the window of image n at output position (i, j), flattened in the
    order (c, ki, kj), which is the order of W[o].reshape(-1).
    """
    raise NotImplementedError


def conv2d_im2col(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """The convolution of exercise 8, as im2col(x) times the kernels, in one matrix product.

    x: (N, C, H, W); W: (C_out, C, k, k); b: (C_out,). Returns z (N, C_out, H_out, W_out).
    """
    raise NotImplementedError
