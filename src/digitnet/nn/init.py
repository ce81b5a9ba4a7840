"""Weight initialisation: He (for ReLU-like units) and Glorot (for sigmoid, tanh and softmax).

Both keep the variance of activations roughly constant from layer to layer, so a deep stack starts
neither saturated nor silent. Every function takes an explicit `rng` (no global random state).
"""

from __future__ import annotations

import numpy as np

from ..errors import DigitnetError


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator, dtype="float32") -> np.ndarray:
    """He et al. 2015: W ~ N(0, 2 / fan_in), for layers followed by ReLU or leaky ReLU."""
    std = np.sqrt(2.0 / fan_in)
    return (rng.standard_normal((fan_in, fan_out)) * std).astype(dtype)


def glorot_uniform(
    fan_in: int, fan_out: int, rng: np.random.Generator, dtype="float32"
) -> np.ndarray:
    """Glorot & Bengio 2010: W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)), for sigmoid/tanh."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(dtype)


INITIALIZERS = {"he": he_normal, "glorot": glorot_uniform}


def initializer(name: str):
    """Return the initialiser function called `name` ("he" or "glorot")."""
    if name not in INITIALIZERS:
        raise DigitnetError(f"unknown init {name!r}; choose one of {', '.join(INITIALIZERS)}")
    return INITIALIZERS[name]
