"""Optimizers (SGD, Adam) and learning-rate schedules: turning gradients into updates."""

from __future__ import annotations

from ..errors import DigitnetError
from .adam import Adam
from .base import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "OPTIMIZERS", "make_optimizer"]

OPTIMIZERS = ("gd", "momentum", "nesterov", "adam")


def make_optimizer(
    name: str, lr: float = 0.001, momentum: float = 0.9, weight_decay: float = 0.0
) -> Optimizer:
    """Build the optimizer the CLI calls `name`: gd, momentum, nesterov or adam."""
    if name == "gd":
        return SGD(lr, weight_decay=weight_decay)
    if name == "momentum":
        return SGD(lr, momentum=momentum, weight_decay=weight_decay)
    if name == "nesterov":
        return SGD(lr, momentum=momentum, nesterov=True, weight_decay=weight_decay)
    if name == "adam":
        return Adam(lr, weight_decay=weight_decay)
    raise DigitnetError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
