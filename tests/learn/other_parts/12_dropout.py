"""Dropout with a binomial draw, keeping the boolean mask and the scale apart."""

import numpy as np


def dropout_forward(x, p, rng):
    keep = rng.binomial(1, 1 - p, size=x.shape).astype(bool)
    return np.where(keep, x / (1 - p), 0.0), (keep, 1 / (1 - p))


def dropout_backward(grad_out, cache):
    keep, scale = cache
    return np.where(keep, grad_out * scale, 0.0)
