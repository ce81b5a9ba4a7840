"""Learning-rate schedules: pure functions of the step number.

    constant: lr_t = lr
    cosine:   lr_t = lr * (1 + cos(pi * t / T)) / 2     (from lr down to 0 over T steps)
    step:     lr_t = lr, then lr / 10 from half of T, then lr / 100 from three quarters
    warm-up:  before either, lr_t rises linearly from lr / W to lr over the first W steps

Decaying the step size at the end lets the weights settle into a minimum instead of bouncing
around it; a warm-up lets a large learning rate start gently, while the first, large gradients
would throw the freshly initialised weights around. Warm-up then cosine decay is the shape of
the "one-cycle" schedule.
"""

from __future__ import annotations

import math

from ..errors import DigitnetError

SCHEDULES = ("constant", "cosine", "step")


def learning_rate(
    schedule: str, base_lr: float, step: int, total_steps: int, warmup_steps: int = 0
) -> float:
    """The learning rate for step `step` (0-based) of `total_steps` under `schedule`."""
    if schedule not in SCHEDULES:
        raise DigitnetError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    if schedule == "constant":
        return base_lr
    progress = min(step - warmup_steps, total_steps) / max(total_steps - warmup_steps, 1)
    if schedule == "step":
        return base_lr * (1.0 if progress < 0.5 else 0.1 if progress < 0.75 else 0.01)
    return base_lr * 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))


class Schedule:
    """The learning rate of every step of a run: `schedule` from base_lr over all its steps,
    after warmup_epochs of linear warm-up (learning_rate above)."""

    def __init__(
        self, schedule: str, base_lr: float, epochs: int, steps_per_epoch: int, warmup: float
    ) -> None:
        self.schedule, self.base_lr, self.steps_per_epoch = schedule, base_lr, steps_per_epoch
        self.total_steps = epochs * steps_per_epoch
        self.warmup_steps = round(warmup * steps_per_epoch)

    def epoch(self, epoch: int) -> list[float]:
        """The learning rates of epoch `epoch`'s steps (epochs count from 1)."""
        first = (epoch - 1) * self.steps_per_epoch
        return [
            learning_rate(
                self.schedule, self.base_lr, first + i, self.total_steps, self.warmup_steps
            )
            for i in range(self.steps_per_epoch)
        ]
