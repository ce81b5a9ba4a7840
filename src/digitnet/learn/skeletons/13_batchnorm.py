"""Exercise 13: batch normalisation, forward (training mode) and backward.

Read docs/backprop.md, section 13 ("Batch normalisation"). Replace each
`raise NotImplementedError` with your code, then run:  digitnet learn check batchnorm
"""

import numpy as np


def batchnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5
) -> np.ndarray:
    """y = gamma (x - mean) / sqrt(var + eps) + beta, mean and var per feature over the batch.

    x: (N, D); gamma, beta: (D,). var is the batch's variance (divided by N, not N - 1).
    Returns y (N, D).
    """
    raise NotImplementedError


def batchnorm_backward(
    x: np.ndarray, gamma: np.ndarray, grad_out: np.ndarray, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dL/dx, dL/dgamma, dL/dbeta) of batchnorm_forward, from grad_out = dL/dy (N, D).

    Returns dx (N, D), dgamma (D,), dbeta (D,). Mind that mean and var depend on every x.
    """
    raise NotImplementedError
