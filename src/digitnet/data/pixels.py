"""Pixels as the loaders hand them out: raw uint8 (0-255, compact) or float pixel / 255."""

from __future__ import annotations

import numpy as np

from ..errors import DigitnetError

PIXEL_DTYPES = ("uint8", "float32", "float64")


def scale_pixels(images: np.ndarray, dtype: str = "float32") -> np.ndarray:
    """Return uint8 images as `dtype`: float pixel / 255, or unchanged for "uint8"."""
    if dtype not in PIXEL_DTYPES:
        raise DigitnetError(f"dtype must be one of {', '.join(PIXEL_DTYPES)}, got {dtype!r}")
    if dtype == "uint8":
        return images
    scaled = images.astype(dtype)
    scaled /= 255  # in place: no second float copy
    return scaled
