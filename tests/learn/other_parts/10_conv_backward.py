"""Convolution's backward one kernel offset at a time: the entry W[:, :, u, v] met one strided
slice of the padded input, so it collects that slice's gradient and sends grad_out back to it."""

import numpy as np


def conv2d_backward(x, W, grad_out, stride=1, padding=0):
    N, C, H, Wd = x.shape
    F, _, k, _ = W.shape
    _, _, out_h, out_w = grad_out.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dx_padded = np.zeros(padded.shape)
    dW = np.empty(W.shape)
    for u in range(k):
        for v in range(k):
            rows = slice(u, u + stride * (out_h - 1) + 1, stride)
            cols = slice(v, v + stride * (out_w - 1) + 1, stride)
            seen = padded[:, :, rows, cols]  # (N, C, out_h, out_w)
            dW[:, :, u, v] = np.tensordot(grad_out, seen, axes=([0, 2, 3], [0, 2, 3]))
            back = np.tensordot(W[:, :, u, v], grad_out, axes=([0], [1]))  # (C, N, out_h, out_w)
            dx_padded[:, :, rows, cols] += back.transpose(1, 0, 2, 3)
    db = grad_out.sum(axis=(0, 2, 3))
    return dx_padded[:, :, padding : padding + H, padding : padding + Wd], dW, db
