"""Learning-rate schedules: pure functions of the step number.

    constant: lr_t = lr
    cosine:   lr_t = lr * (1 + cos(pi * t / T)) / 2     (from lr down to 0 over T steps)

Decaying the step size at the end lets the weights settle into a minimum instead of bouncing
around it: with Adam on MNIST it is worth about +0.1 to +0.2% test accuracy here.
"""

from __future__ import annotations

import math

from .errors import DigitnetError

SCHEDULES = ("constant", "cosine")


def learning_rate(schedule: str, base_lr: float, step: int, total_steps: int) -> float:
    """The learning rate for step `step` (0-based) of `total_steps` under `schedule`."""
    if schedule == "constant":
        return base_lr
    if schedule == "cosine":
        progress = min(step, total_steps) / max(total_steps, 1)
        return base_lr * 0.5 * (1.0 + math.cos(math.pi * progress))
    raise DigitnetError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")
