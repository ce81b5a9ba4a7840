"""Softmax fused with categorical cross-entropy: the last step of the forward pass.

Fusing them gives a numerically stable loss (log-sum-exp, no epsilon) and the famously simple
gradient (probs - onehot) / N. The batch mean (1/N) lives here and nowhere else.
"""

from __future__ import annotations

import numpy as np


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log softmax(z) = z - max(z) - log(sum(exp(z - max(z)))), row by row; never overflows."""
    shifted = logits - logits.max(axis=1, keepdims=True)  # largest entry of each row is 0
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, computed stably: probabilities that sum to 1 over each row."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    exp /= exp.sum(axis=1, keepdims=True)
    return exp


def cross_entropy_sum(logits: np.ndarray, labels: np.ndarray) -> float:
    """Sum over the batch of -log softmax(logits)[label]: used to average over many batches."""
    return float(-log_softmax(logits)[np.arange(len(labels)), labels].sum(dtype=np.float64))


class SoftmaxCrossEntropy:
    """Mean categorical cross-entropy of softmax(logits) against integer labels.

    L = -(1/N) sum_n log p[n, y_n],   p = softmax(z).
    dL/dz = (p - onehot(y)) / N: the derivative of log-sum-exp is p, and that of -z[y] is
    -onehot(y); see docs/backprop.md for the derivation.

    Shape: logits (N, C), labels (N,) integers in [0, C) -> scalar loss.
    """

    def forward(self, logits: np.ndarray, labels: np.ndarray) -> float:
        """Return the mean loss and keep the probabilities for backward."""
        log_probs = log_softmax(logits)
        self._probs = np.exp(log_probs)
        self._labels = labels
        rows = np.arange(len(labels))
        return float(-log_probs[rows, labels].mean(dtype=np.float64))

    @property
    def probs(self) -> np.ndarray:
        """Softmax probabilities of the last forward pass (N, C)."""
        return self._probs

    def backward(self) -> np.ndarray:
        """Return dL/dlogits = (probs - onehot(labels)) / N, without building a one-hot matrix."""
        labels = self._labels
        n = len(labels)
        # dL/dz = (p - onehot) / N               (N, C)
        grad = self._probs.copy()
        grad[np.arange(n), labels] -= 1
        grad /= n
        return grad
