"""The learning-rate range test (Smith 2015; fast.ai's lr_find): train a copy of the network for
one step per rate, the rate rising exponentially from 1e-6 to 10, and watch the loss.

Too small a rate and the loss does not move; too large and it shoots up. The suggested rate is
where the (smoothed) loss falls fastest against log(rate), as fast.ai suggests its "steep" point;
a good rate is usually within ten times of it on either side.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..nn.network import Network
from ..optim.base import Optimizer
from ..training.loop import train_step
from .checks import Finding, Prepare, copy_of, inputs

LOWEST, HIGHEST, STEPS, BATCH = 1e-6, 10.0, 100, 64
SMOOTHING = 0.9  # the exponential moving average of the loss, bias-corrected
BLOWN_UP = 4.0  # stop once the smoothed loss is 4 times its lowest


@dataclass
class RangeTest:
    """The rates tried, the smoothed loss after each step, and the suggested rate."""

    lrs: np.ndarray
    losses: np.ndarray
    suggested: float


def range_test(
    model: Network,
    X: np.ndarray,
    y: np.ndarray,
    make_optimizer: Callable[[], Optimizer],
    prepare: Prepare | None = None,
) -> RangeTest:
    """Run the range test on a copy of `model` (batches of 64 images, in order)."""
    twin = copy_of(model, None, prepare)
    optimizer = make_optimizer()
    groups = twin.block.groups(optimizer.weight_decay > 0)
    lrs = np.geomspace(LOWEST, HIGHEST, STEPS)
    losses: list[float] = []
    average, best = 0.0, math.inf
    for step, lr in enumerate(lrs):
        start = BATCH * step % (len(X) - BATCH + 1)  # the batches in order, round the data
        x, labels = inputs(twin, X[start : start + BATCH]), y[start : start + BATCH]
        optimizer.lr = float(lr)
        with np.errstate(over="ignore", invalid="ignore"):
            _, loss = train_step(twin, x, labels, optimizer, groups)
        if not math.isfinite(loss):
            break
        average = SMOOTHING * average + (1 - SMOOTHING) * loss
        smoothed = average / (1 - SMOOTHING ** (step + 1))  # undo the start at 0
        losses.append(smoothed)
        best = min(best, smoothed)
        if smoothed > BLOWN_UP * best:
            break
    tried = lrs[: len(losses)]
    suggested = steepest(tried, np.array(losses)) if losses else math.nan
    return RangeTest(tried, np.array(losses), suggested)


def steepest(lrs: np.ndarray, losses: np.ndarray) -> float:
    """The rate where the loss falls fastest per factor of rate, before its lowest point."""
    lowest = int(losses.argmin())
    if lowest < 2:
        return float(lrs[lowest])
    slopes = np.gradient(losses[: lowest + 1], np.log(lrs[: lowest + 1]))
    return float(lrs[int(slopes.argmin())])


def finding(test: RangeTest, lr: float) -> Finding:
    """Whether the run's rate is within ten times of the suggested one."""
    suggested = test.suggested
    if not math.isfinite(suggested):
        measured = f"the loss is not finite even after a step at {LOWEST:g}"
        advice = "the network's outputs overflow from the start: check its weights and inputs"
        return Finding("learning-rate range test", False, measured, advice, {"lr": lr})
    ratio = lr / suggested
    passed = 0.1 <= ratio <= 10
    measured = (
        f"suggested rate {suggested:.2g} (the loss falls fastest there); this run's {lr:g} is "
        f"{ratio:.2g} times it"
    )
    advice = (
        ""
        if passed
        else f"try --lr {suggested:.2g}: {lr:g} is "
        + ("so large that the loss shoots up" if ratio > 10 else "so small that it barely moves")
    )
    values = {"suggested": suggested, "lr": lr, "lrs": test.lrs.tolist()}
    values["losses"] = test.losses.tolist()
    return Finding("learning-rate range test", passed, measured, advice, values)
