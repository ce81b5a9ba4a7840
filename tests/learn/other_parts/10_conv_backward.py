"""Convolution's backward the other way: dx as a full convolution with the flipped kernel."""

import numpy as np


def conv2d_backward(x, W, grad_out, stride=1, padding=0):
    N, C, H, Wd = x.shape
    F, _, k, _ = W.shape
    _, _, out_h, out_w = grad_out.shape
    # spread grad_out to stride 1 (zeros between), pad by k - 1, correlate with flipped W
    spread = np.zeros((N, F, (out_h - 1) * stride + 1, (out_w - 1) * stride + 1))
    spread[:, :, ::stride, ::stride] = grad_out
    full = np.pad(spread, ((0, 0), (0, 0), (k - 1, k - 1), (k - 1, k - 1)))
    flipped = W[:, :, ::-1, ::-1]
    Hp, Wp = H + 2 * padding, Wd + 2 * padding
    dx_padded = np.zeros((N, C, Hp, Wp))
    reach_h, reach_w = spread.shape[2] + k - 1, spread.shape[3] + k - 1
    for i in range(min(Hp, reach_h)):
        for j in range(min(Wp, reach_w)):
            window = full[:, :, i : i + k, j : j + k]  # (N, F, k, k)
            dx_padded[:, :, i, j] = np.einsum("nfuv,fcuv->nc", window, flipped)
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dW = np.zeros_like(W, dtype=float)
    for u in range(k):
        for v in range(k):
            patch = padded[:, :, u : u + stride * out_h : stride, v : v + stride * out_w : stride]
            dW[:, :, u, v] = np.einsum("nfij,ncij->fc", grad_out, patch[:, :, :out_h, :out_w])
    db = grad_out.sum(axis=(0, 2, 3))
    return dx_padded[:, :, padding : padding + H, padding : padding + Wd], dW, db
