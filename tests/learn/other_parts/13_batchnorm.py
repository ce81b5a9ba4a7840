"""Batch norm with the compact backward formula (cs231n's one line)."""

import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    sigma = np.sqrt(((x - mu) ** 2).mean(axis=0) + eps)
    return gamma * (x - mu) / sigma + beta


def batchnorm_backward(x, gamma, grad_out, eps=1e-5):
    N = x.shape[0]
    mu = x.mean(axis=0)
    inv_sigma = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - mu) * inv_sigma
    dgamma = (grad_out * x_hat).sum(axis=0)
    dbeta = grad_out.sum(axis=0)
    dx = gamma * inv_sigma / N * (N * grad_out - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta
