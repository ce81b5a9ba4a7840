"""The baseline: the 784-128-64-10 network in plain NumPy, written the obvious way.

This is what a user writes after a tutorial: the whole training set converted to float32 once,
a one-hot label matrix, a fresh array for every intermediate result, Adam with temporaries. It
draws the initial weights and the shuffling order from the same random stream as digitnet
(`default_rng(seed)`: He-normal hidden layers, Glorot-uniform output layer, then one permutation
per epoch), so with the same seed both train the same network on the same batches.
"""

from __future__ import annotations

import numpy as np


def init(seed: int, sizes=(784, 128, 64, 10)):
    """Weights [W1, b1, W2, b2, ...] (float32), Adam state, and the random generator."""
    rng = np.random.default_rng(seed)
    params = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i < len(sizes) - 2:  # hidden layer, followed by ReLU: He normal
            W = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
        else:  # output layer, followed by softmax: Glorot uniform
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            W = rng.uniform(-limit, limit, (fan_in, fan_out))
        params += [W.astype(np.float32), np.zeros(fan_out, np.float32)]
    adam = {
        "t": 0,
        "m": [np.zeros_like(p) for p in params],
        "v": [np.zeros_like(p) for p in params],
    }
    return params, adam, rng


def forward(params, x):
    """Logits and the hidden activations of a batch x (N, 784)."""
    W1, b1, W2, b2, W3, b3 = params
    z1 = x @ W1 + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ W2 + b2
    a2 = np.maximum(z2, 0)
    return a2 @ W3 + b3, (z1, a1, z2, a2)


def train_epoch(params, adam, rng, X, y, batch_size=128, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    """One epoch of mini-batch Adam on float32 images X (n, 784) in [0, 1]; returns mean loss."""
    order = rng.permutation(len(X))
    losses = []
    for start in range(0, len(X), batch_size):
        idx = order[start : start + batch_size]
        x, labels = X[idx], y[idx]
        n = len(x)
        logits, (z1, a1, z2, a2) = forward(params, x)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs = e / e.sum(axis=1, keepdims=True)
        onehot = np.eye(10, dtype=np.float32)[labels]
        losses.append(-np.mean(np.log(probs[np.arange(n), labels])))

        W1, b1_, W2, b2_, W3, b3_ = params
        d3 = (probs - onehot) / n
        d2 = (d3 @ W3.T) * (z2 > 0)
        d1 = (d2 @ W2.T) * (z1 > 0)
        grads = [x.T @ d1, d1.sum(axis=0), a1.T @ d2, d2.sum(axis=0), a2.T @ d3, d3.sum(axis=0)]

        adam["t"] += 1
        t = adam["t"]
        for i, (p, g) in enumerate(zip(params, grads)):
            adam["m"][i] = b1 * adam["m"][i] + (1 - b1) * g
            adam["v"][i] = b2 * adam["v"][i] + (1 - b2) * g * g
            m_hat = adam["m"][i] / (1 - b1**t)
            v_hat = adam["v"][i] / (1 - b2**t)
            p -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return float(np.mean(losses))


def predict(params, x):
    """Predicted digits for float32 images x (n, 784)."""
    return forward(params, x)[0].argmax(axis=1)
