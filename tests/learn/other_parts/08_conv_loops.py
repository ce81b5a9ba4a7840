"""Convolution by loops over every index, no array slicing."""

import numpy as np


def conv2d_loops(x, W, b, stride=1, padding=0):
    N, C, H, Wd = x.shape
    F, _, k, _ = W.shape
    padded = np.zeros((N, C, H + 2 * padding, Wd + 2 * padding))
    padded[:, :, padding : padding + H, padding : padding + Wd] = x
    out_h = (H + 2 * padding - k) // stride + 1
    out_w = (Wd + 2 * padding - k) // stride + 1
    out = np.zeros((N, F, out_h, out_w))
    for n in range(N):
        for f in range(F):
            for r in range(out_h):
                for s in range(out_w):
                    total = b[f]
                    for c in range(C):
                        for u in range(k):
                            for v in range(k):
                                total += (
                                    W[f, c, u, v] * padded[n, c, r * stride + u, s * stride + v]
                                )
                    out[n, f, r, s] = total
    return out
