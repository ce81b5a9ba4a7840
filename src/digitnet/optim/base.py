"""What every optimizer shares: hyper-parameter checks, and restoring saved state.

`step(params, grads, decay=None)` takes aligned lists of arrays and updates the parameters IN
PLACE (`p -= ...`). Writing `p = p - ...` would only rebind a local name and silently leave the
model unchanged. `decay[i]` says whether weight decay applies to params[i] (default: to all);
Sequential passes its weights and its biases as two groups, so that biases are not decayed.
Per-parameter state (velocities, moments) lives in lists aligned with `params`.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DigitnetError


def check_lr(lr: float) -> float:
    """The learning rate as a float, or a DigitnetError naming the bad value."""
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise DigitnetError(f"learning rate must be a finite number > 0, got {lr!r}")
    return float(lr)


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
