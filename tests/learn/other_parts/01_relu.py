"""ReLU written as a learner might: np.where, and a boolean mask."""

import numpy as np


def relu(x):
    return np.where(x > 0, x, 0.0)


def relu_backward(x, grad_out):
    passes = x > 0
    return np.where(passes, grad_out, 0.0)
