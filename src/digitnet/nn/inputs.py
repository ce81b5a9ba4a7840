"""What a network takes: pixels as floats, and the shape of one example."""

from __future__ import annotations

import numpy as np

from ..errors import DigitnetError
from .layer import Layer


def as_input(X: np.ndarray, dtype: str, out: np.ndarray | None = None) -> np.ndarray:
    """Images as network input: uint8 pixels become pixel / 255, floats are only cast to dtype.

    With `out`, the result is written there (a buffer reused from batch to batch).
    """
    if X.dtype == np.uint8:
        return np.divide(X, 255, out=out, dtype=dtype)  # computed in `dtype`, not float64
    if out is None:
        return X.astype(dtype, copy=False)
    np.copyto(out, X)
    return out


def input_shape_of(
    layers: list[Layer], given: tuple[int, ...] | list[int] | int | None
) -> tuple[int, ...]:
    """The input shape given, or the first dense layer's number of inputs."""
    if given is None:
        first = next((layer for layer in layers if hasattr(layer, "in_features")), None)
        if first is None:
            raise DigitnetError("give input_shape: no dense layer says how many inputs it takes")
        return (first.in_features,)
    shape = tuple(given) if isinstance(given, (tuple, list)) else (given,)
    if not shape or not all(isinstance(n, (int, np.integer)) and n >= 1 for n in shape):
        raise DigitnetError(f"input_shape must be positive integers, got {given!r}")
    return tuple(int(n) for n in shape)
