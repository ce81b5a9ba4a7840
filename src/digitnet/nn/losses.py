"""Softmax fused with categorical cross-entropy: the last step of the forward pass.

Fusing them gives a numerically stable loss (log-sum-exp, no epsilon) and the famously simple
gradient (probs - onehot) / N. The batch mean (1/N) lives here and nowhere else.
"""

from __future__ import annotations

import numpy as np

from .buffers import Buffers


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

    def __init__(self) -> None:
        self.buffers = Buffers()  # probabilities and gradient, reused from batch to batch
        self._row_index: dict[int, np.ndarray] = {}

    def forward(self, logits: np.ndarray, labels: np.ndarray) -> float:
        """Return the mean loss and keep the probabilities for backward."""
        # plain version: log_probs = log_softmax(logits); loss = -log_probs[rows, labels].mean()
        rows = self._rows(len(labels))
        shifted = self.buffers.get("probs", logits.shape, logits.dtype)  # becomes probs below
        # z - max_k z_k: each row's largest entry is 0, so no e^z overflows    (N, C)
        np.subtract(logits, self._row_max(logits)[:, None], out=shifted)
        shifted_label = shifted[rows, labels]  # z_label - max                  (N,)
        probs = np.exp(shifted, out=shifted)
        total = probs.sum(axis=1, keepdims=True)  # sum_k e^(z_k - max), >= 1  (N, 1)
        probs /= total  # p = softmax(z)                                         (N, C)
        self._probs, self._labels = probs, labels
        # -log p[label] = log(sum_k e^(z_k - max)) - (z_label - max)
        return float(np.mean(np.log(total[:, 0]) - shifted_label, dtype=np.float64))

    def _rows(self, n: int) -> np.ndarray:
        """0, 1, ..., n-1: the row index that pairs each row with its label (made once per n)."""
        if n not in self._row_index:
            self._row_index[n] = np.arange(n)
        return self._row_index[n]

    def _row_max(self, logits: np.ndarray) -> np.ndarray:
        """max_k logits[n, k] for each row n, as logits.max(axis=1) gives it; found through
        argmax, which NumPy computes faster than max on rows as short as 10 classes."""
        return logits[self._rows(len(logits)), logits.argmax(axis=1)]

    @property
    def probs(self) -> np.ndarray:
        """Softmax probabilities of the last forward pass (N, C)."""
        return self._probs

    def backward(self, batch_size: int | None = None) -> np.ndarray:
        """Return dL/dlogits = (probs - onehot(labels)) / N, without building a one-hot matrix.

        batch_size: N, when these logits are some rows of a larger batch whose mean loss is
        differentiated (a thread's share of a multi-threaded step); by default their number."""
        labels, probs = self._labels, self._probs
        # dL/dz = (p - onehot(labels)) / N               (N, C)
        grad = self.buffers.get("grad", probs.shape, probs.dtype)
        np.copyto(grad, probs)
        grad[self._rows(len(labels)), labels] -= 1  # onehot: a 1 at [n, labels[n]]
        grad /= len(labels) if batch_size is None else batch_size
        return grad
