"""Softmax and cross-entropy through log-softmax, one row at a time."""

import numpy as np


def softmax_cross_entropy(logits, labels):
    count = logits.shape[0]
    losses = []
    grad = np.empty_like(logits, dtype=float)
    for row in range(count):
        scores = logits[row] - np.max(logits[row])
        log_norm = np.log(np.sum(np.exp(scores)))
        log_probs = scores - log_norm
        losses.append(-log_probs[labels[row]])
        grad[row] = np.exp(log_probs)
        grad[row, labels[row]] -= 1.0
    return float(np.mean(losses)), grad / count
