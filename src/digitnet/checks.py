"""The checks every stage of digitnet makes on a setting: a whole number in a range, a positive
finite number (a learning rate). Each raises a DigitnetError that names the setting and the value
received; the command line and the server turn it into one line for the user."""

from __future__ import annotations

import math

import numpy as np

from .errors import DigitnetError


def integer(name: str, value: object, least: int = 1, most: int | None = None) -> int:
    """`value` as an int in [least, most] (booleans refused), or a DigitnetError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise DigitnetError(f"{name} must be an integer >= {least}, got {value!r}")
    if most is not None and value > most:
        raise DigitnetError(f"{name} must be at most {most}, got {value}")
    return int(value)


def positive_number(name: str, value: object) -> float:
    """`value` as a finite float > 0 (a learning rate), or a DigitnetError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise DigitnetError(f"{name} must be a number > 0, got {value!r}")
    if not math.isfinite(value):
        raise DigitnetError(f"{name} must be finite, got {value!r}")
    if value <= 0:
        raise DigitnetError(f"{name} must be > 0, got {value!r}")
    return float(value)
