"""Exercise 1: ReLU and its derivative.

Read docs/backprop.md, section 4 ("Activations (element-wise)"). Replace each
`raise NotImplementedError` with your code, then run:  digitnet learn check relu
Stuck? digitnet learn check relu --hint
"""

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    """y = max(x, 0), entry by entry.

    x: any shape, e.g. (N, D) or (N, C, H, W). Returns y of the same shape.
    """
    raise NotImplementedError


def relu_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """dL/dx from grad_out = dL/dy, where y = relu(x).

    x: the input relu saw; grad_out: the same shape. Returns dx of that shape.
    The derivative at exactly 0 is taken as 0, as PyTorch does.
    """
    raise NotImplementedError
