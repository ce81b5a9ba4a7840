"""Gradient descent with slice assignment."""


def sgd_step(params, grads, lr):
    for index in range(len(params)):
        params[index][...] = params[index] - lr * grads[index]
