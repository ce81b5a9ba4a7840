"""What every optimizer shares: the Optimizer base class (a checked learning rate and weight
decay, `step`, and the state a checkpoint keeps), and restoring saved state.

`step(params, grads, decay=None)` takes aligned lists of arrays and updates the parameters IN
PLACE (`p -= ...`). Writing `p = p - ...` would only rebind a local name and silently leave the
model unchanged. `decay[i]` says whether weight decay applies to params[i] (default: to all);
the training loop passes a network's weights and its biases as two groups (Network.block.groups),
so that biases are not decayed. Per-parameter state (velocities, moments) lives in lists aligned
with `params`, created at the first step.

A step is two parts: begin_step (state created, the step counted, its constants) and then
update(i, ...) for each parameter, which may be given a part of it (`part`, a slice of the flat
array): on several threads, each updates its part of every parameter (nn/parallel.py). A new
optimizer may implement step alone; it then runs on one thread.
"""

from __future__ import annotations

import math

import numpy as np

from .. import checks
from ..errors import DigitnetError


class Optimizer:
    """Base class: turns gradients into in-place updates of the parameters.

    lr: the step size (a schedule may change it between steps). weight_decay: the L2 penalty's
    strength, applied inside the update to the parameters that `decay` names.
    """

    def __init__(self, lr: float, weight_decay: float = 0.0) -> None:
        self.lr = check_lr(lr)
        self.weight_decay = check_weight_decay(weight_decay)

    def step(
        self, params: list[np.ndarray], grads: list[np.ndarray], decay: list[bool] | None = None
    ) -> None:
        """Update every parameter in place from its gradient (decay[i]: weight-decay params[i]).
        The gradients are read, never changed."""
        decay = decay if decay is not None else [True] * len(params)
        self.begin_step(params)
        for i, (p, g, decayed) in enumerate(zip(params, grads, decay)):
            self.update(i, p, g, decayed)

    def begin_step(self, params: list[np.ndarray]) -> None:
        """Before the updates of a step: make the state at the first one, count the step."""
        raise NotImplementedError

    def update(
        self, i: int, p: np.ndarray, g: np.ndarray, decayed: bool, part: slice = slice(None)
    ) -> None:
        """Update p[part] (params[i] of begin_step, flat) in place from g[part]."""
        raise NotImplementedError

    @property
    def updates_in_parts(self) -> bool:
        """Whether update() is implemented, so that threads may update parts side by side."""
        return type(self).update is not Optimizer.update

    def state_dict(self) -> dict:
        """What a checkpoint must keep to continue exactly: {"arrays": {name: array}, ...}."""
        raise NotImplementedError

    def load_state_dict(self, state: dict, params: list[np.ndarray]) -> None:
        """Restore the state saved by state_dict (for the parameters `params`)."""
        raise NotImplementedError


def check_lr(lr: float) -> float:
    """The learning rate as a float, or a DigitnetError naming the bad value."""
    return checks.positive_number("learning rate", lr)


def check_weight_decay(weight_decay: float) -> float:
    """The weight decay as a float, or a DigitnetError naming the bad value."""
    if not (isinstance(weight_decay, (int, float)) and 0 <= weight_decay < math.inf):
        raise DigitnetError(f"weight decay must be a finite number >= 0, got {weight_decay!r}")
    return float(weight_decay)


def saved_arrays(state: dict, prefix: str, params: list[np.ndarray]) -> list[np.ndarray]:
    """The saved arrays prefix0, prefix1, ..., checked against the parameters they go with."""
    arrays = []
    for i, p in enumerate(params):
        array = state["arrays"].get(f"{prefix}{i}")
        if array is None or array.shape != p.shape:
            raise DigitnetError(f"optimizer state {prefix}{i} is missing or has the wrong shape")
        arrays.append(np.array(array, dtype=p.dtype))
    return arrays
