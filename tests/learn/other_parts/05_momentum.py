"""Momentum in Sutskever's form: the learning rate inside the velocity (the same steps at a
constant learning rate)."""


def momentum_step(params, grads, velocities, lr, momentum=0.9):
    for p, g, v in zip(params, grads, velocities):
        v[...] = momentum * v + lr * g
        p -= v
