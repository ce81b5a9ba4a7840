"""Weight initialisation from a parameter's shape: He (for ReLU-like units) and Glorot (for
sigmoid, tanh and softmax).

Both keep the variance of activations roughly constant from layer to layer, so a deep stack starts
neither saturated nor silent. fan_in and fan_out come from the shape: (D_in, D_out) for a dense
W, (C_out, C_in, kh, kw) for a convolution kernel (fan_in = C_in kh kw, fan_out = C_out kh kw,
as PyTorch computes them). Every function takes an explicit `rng` (no global random state).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ..errors import DigitnetError


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a dense weight (D_in, D_out) or a kernel (C_out, C_in, kh, kw)."""
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) >= 3:
        receptive_field = int(np.prod(shape[2:]))
        return shape[1] * receptive_field, shape[0] * receptive_field
    raise ValueError(f"no fan-in and fan-out for a parameter of shape {shape}")


def he_normal(
    shape: tuple[int, ...], rng: np.random.Generator, dtype: npt.DTypeLike = "float32"
) -> np.ndarray:
    """He et al. 2015: W ~ N(0, 2 / fan_in), for layers followed by ReLU or leaky ReLU."""
    fan_in, _ = fans(shape)
    std = np.sqrt(2.0 / fan_in)
    return (rng.standard_normal(shape) * std).astype(dtype)


def glorot_uniform(
    shape: tuple[int, ...], rng: np.random.Generator, dtype: npt.DTypeLike = "float32"
) -> np.ndarray:
    """Glorot & Bengio 2010: W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)), for sigmoid/tanh."""
    fan_in, fan_out = fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(dtype)


Initializer = Callable[[tuple[int, ...], np.random.Generator, str], np.ndarray]
INITIALIZERS: dict[str, Initializer] = {"he": he_normal, "glorot": glorot_uniform}


def initializer(name: str) -> Initializer:
    """Return the initialiser function called `name` ("he" or "glorot")."""
    if name not in INITIALIZERS:
        raise DigitnetError(f"unknown init {name!r}; choose one of {', '.join(INITIALIZERS)}")
    return INITIALIZERS[name]
