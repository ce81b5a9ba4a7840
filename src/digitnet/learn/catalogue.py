"""The exercises in the order that builds a network, and finding one by name."""

from __future__ import annotations

from ..errors import DigitnetError
from .exercise import Exercise
from .exercises_conv import CONV_BACKWARD, CONV_LOOPS, IM2COL
from .exercises_dense import DENSE
from .exercises_init import HE
from .exercises_layers import BATCHNORM, DROPOUT
from .exercises_mlp import RELU, SOFTMAX
from .exercises_optim import ADAM, MOMENTUM, SGD
from .exercises_pool import MAXPOOL

EXERCISES: tuple[Exercise, ...] = (
    RELU, SOFTMAX, DENSE, SGD, MOMENTUM, ADAM, HE,
    CONV_LOOPS, IM2COL, CONV_BACKWARD, MAXPOOL, DROPOUT, BATCHNORM,
)  # fmt: skip


def exercise(name: str) -> Exercise:
    """The exercise called `name` (as `digitnet learn` lists them)."""
    for candidate in EXERCISES:
        if name in (candidate.name, candidate.file, candidate.file.removesuffix(".py")):
            return candidate
    names = ", ".join(e.name for e in EXERCISES)
    raise DigitnetError(f"no exercise {name!r}; the exercises are: {names}")
