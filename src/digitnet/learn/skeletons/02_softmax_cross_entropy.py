"""Exercise 2: the stable softmax with cross-entropy, and its fused gradient.

Read docs/backprop.md, section 2 ("Softmax and cross-entropy, fused"). Replace the
`raise NotImplementedError` with your code, then run:  digitnet learn check softmax_cross_entropy
"""

import numpy as np


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean cross-entropy loss of softmax(logits), and dL/dlogits.

    logits: (N, C) scores, any size (also 1000: it must not overflow).
    labels: (N,) integers in 0 .. C-1.
    Returns (loss, dlogits): loss a float, the mean over the N images of -log p[n, labels[n]];
    dlogits (N, C), the gradient of that mean.
    """
    raise NotImplementedError
