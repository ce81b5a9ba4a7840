"""Max-pooling with argmax over flattened windows."""

import numpy as np


def maxpool2d(x, k=2, stride=2):
    N, C, H, Wd = x.shape
    rows, cols = (H - k) // stride + 1, (Wd - k) // stride + 1
    out = np.empty((N, C, rows, cols))
    for r in range(rows):
        for c in range(cols):
            out[:, :, r, c] = x[
                :, :, r * stride : r * stride + k, c * stride : c * stride + k
            ].max(axis=(2, 3))
    return out


def maxpool2d_backward(x, grad_out, k=2, stride=2):
    N, C, rows, cols = grad_out.shape
    dx = np.zeros_like(x, dtype=float)
    n_index, c_index = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for r in range(rows):
        for c in range(cols):
            window = x[:, :, r * stride : r * stride + k, c * stride : c * stride + k]
            best = window.reshape(N, C, -1).argmax(axis=2)
            di, dj = np.unravel_index(best, (k, k))
            np.add.at(
                dx, (n_index, c_index, r * stride + di, c * stride + dj), grad_out[:, :, r, c]
            )
    return dx
