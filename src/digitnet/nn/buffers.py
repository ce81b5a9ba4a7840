"""Scratch arrays reused from one batch to the next, so that a training step allocates nothing.

Allocating a fresh (N, D) array for every intermediate result costs time (and page faults for large
arrays); layers instead ask their `Buffers` for a named array of the right shape, which is created
once and then overwritten through NumPy's `out=` arguments.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


class Buffers:
    """Arrays keyed by (name, shape, dtype): e.g. one for full batches, one for the last batch."""

    def __init__(self) -> None:
        self._arrays: dict[tuple, np.ndarray] = {}

    def get(
        self, name: str, shape: tuple[int, ...], dtype: npt.DTypeLike, fill: float | None = None
    ) -> np.ndarray:
        """The array called `name` with this shape and dtype: uninitialised when first made,
        or filled with `fill` (then never written by the caller, e.g. a vector of ones)."""
        key = (name, shape, np.dtype(dtype))
        array = self._arrays.get(key)
        if array is None:
            array = self._arrays[key] = np.empty(shape, dtype)
            if fill is not None:
                array.fill(fill)
        return array
