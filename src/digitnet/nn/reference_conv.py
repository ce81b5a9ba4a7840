"""The plain reference for convolutional layers: loops over positions, as a learner writes them.

Part of the plain reference (reference.py): each function is the equation of a layer's docstring
written out with Python loops over images, channels and output positions, a fresh array for every
result. Hundreds of times slower than the layers (conv.py, pooling.py, batchnorm.py), and the
tests' oracle for them (tests/nn/test_conv_layers.py). Images are (N, C, H, W).
"""

from __future__ import annotations

import numpy as np


def pad(x: np.ndarray, padding: int) -> np.ndarray:
    """x with `padding` zeros around each image."""
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


def conv2d(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """z[n, o, i, j] = b[o] + sum_{c, ki, kj} W[o, c, ki, kj] x_pad[n, c, s i + ki, s j + kj]."""
    x = pad(x, padding)
    N, _, H, W_ = x.shape
    C_out, _, k, _ = W.shape
    H_out, W_out = (H - k) // stride + 1, (W_ - k) // stride + 1
    z = np.zeros((N, C_out, H_out, W_out))
    for n in range(N):
        for o in range(C_out):
            for i in range(H_out):
                for j in range(W_out):
                    patch = x[n, :, i * stride : i * stride + k, j * stride : j * stride + k]
                    z[n, o, i, j] = np.sum(patch * W[o]) + b[o]
    return z


def conv2d_backward(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dL/dx, dL/dW, dL/db) of conv2d: every output position sends its gradient back to the
    kernel weights (times the pixels it saw) and to the pixels (times the weights)."""
    x_pad = pad(x, padding)
    k = W.shape[2]
    dx_pad, dW = np.zeros(x_pad.shape), np.zeros(W.shape)
    N, C_out, H_out, W_out = grad_out.shape
    for n in range(N):
        for o in range(C_out):
            for i in range(H_out):
                for j in range(W_out):
                    rows = slice(i * stride, i * stride + k)
                    cols = slice(j * stride, j * stride + k)
                    dW[o] += grad_out[n, o, i, j] * x_pad[n, :, rows, cols]
                    dx_pad[n, :, rows, cols] += grad_out[n, o, i, j] * W[o]
    db = grad_out.sum(axis=(0, 2, 3))
    H, W_ = x.shape[2:]
    return dx_pad[:, :, padding : padding + H, padding : padding + W_], dW, db


def maxpool2d(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    """y[n, c, i, j] = the largest x in the window at (s i, s j)."""
    N, C, H, W = x.shape
    H_out, W_out = (H - k) // stride + 1, (W - k) // stride + 1
    y = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    y[n, c, i, j] = x[
                        n, c, i * stride : i * stride + k, j * stride : j * stride + k
                    ].max()
    return y


def maxpool2d_backward(x: np.ndarray, grad_out: np.ndarray, k: int, stride: int) -> np.ndarray:
    """dL/dx: each window's gradient goes to its (first) largest input; the rest get 0."""
    dx = np.zeros(x.shape)
    N, C, H_out, W_out = grad_out.shape
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride : i * stride + k, j * stride : j * stride + k]
                    ki, kj = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + ki, j * stride + kj] += grad_out[n, c, i, j]
    return dx


def batchnorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Training-mode batch norm of each channel c: (x - mean) / sqrt(var + eps) gamma + beta."""
    y = np.zeros(x.shape)
    for c in range(x.shape[1]):
        values = x[:, c]
        x_hat = (values - values.mean()) / np.sqrt(values.var() + eps)
        y[:, c] = gamma[c] * x_hat + beta[c]
    return y


def batchnorm_backward(
    x: np.ndarray, gamma: np.ndarray, grad_out: np.ndarray, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dL/dx, dL/dgamma, dL/dbeta) by the chain rule through x_hat, var and mean, one channel
    at a time (the long way of docs/backprop.md)."""
    dx, dgamma, dbeta = np.zeros(x.shape), np.zeros(x.shape[1]), np.zeros(x.shape[1])
    for c in range(x.shape[1]):
        values, g = x[:, c], grad_out[:, c]
        M = values.size
        mean, var = values.mean(), values.var()
        x_hat = (values - mean) / np.sqrt(var + eps)
        dgamma[c], dbeta[c] = np.sum(g * x_hat), np.sum(g)
        d_x_hat = g * gamma[c]
        d_var = np.sum(d_x_hat * (values - mean)) * -0.5 * (var + eps) ** -1.5
        d_mean = -np.sum(d_x_hat) / np.sqrt(var + eps) + d_var * np.mean(-2 * (values - mean))
        dx[:, c] = d_x_hat / np.sqrt(var + eps) + d_var * 2 * (values - mean) / M + d_mean / M
    return dx, dgamma, dbeta


def global_avgpool(x: np.ndarray) -> np.ndarray:
    """y[n, c] = the mean of feature map c of image n."""
    return x.mean(axis=(2, 3))


def global_avgpool_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """dL/dx[n, c, i, j] = g[n, c] / (H W)."""
    H, W = x.shape[2:]
    return np.repeat(np.repeat(grad_out[:, :, None, None], H, axis=2), W, axis=3) / (H * W)
