"""Data augmentation on the fly, in NumPy: random affine transforms and elastic distortions.

Every batch gets new random distortions, so the network never sees the same image twice and has
to learn what makes a digit a digit rather than memorise pixels. Both distortions are a map of
where each output pixel comes from in the input, sampled with bilinear interpolation:

- affine (shift, rotation, scale, shear) about the image centre;
- elastic (Simard, Steinkraus and Platt 2003): a random displacement field, uniform in [-1, 1]
  per pixel, smoothed by a Gaussian of width sigma and scaled by alpha, so neighbouring pixels
  move together, like a hand wobbling.

The Gaussian smoothing is done as two small matrix products (rows, then columns, with a 28x28
Gaussian matrix), which BLAS does for a whole batch at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import DigitnetError

SIDE = 28


@dataclass(frozen=True)
class Augmentation:
    """How much to distort: maximum shift (pixels), rotation (degrees), scale (fraction),
    shear (degrees), and the elastic field's strength alpha and smoothness sigma (pixels)."""

    shift: float = 2.0
    rotate: float = 10.0
    scale: float = 0.1
    shear: float = 10.0
    elastic_alpha: float = 0.0
    elastic_sigma: float = 5.0

    def __post_init__(self) -> None:
        for name in ("shift", "rotate", "scale", "shear", "elastic_alpha"):
            if not 0 <= getattr(self, name) < 1e3:
                raise DigitnetError(f"augmentation {name} must be >= 0, got {getattr(self, name)}")
        if self.elastic_sigma <= 0:
            raise DigitnetError(f"elastic sigma must be > 0, got {self.elastic_sigma}")


# The two augmentations offered by name (--augment): affine only, and affine with elastic.
AUGMENTATIONS = {
    "affine": Augmentation(),
    "elastic": Augmentation(
        shift=2.0,
        rotate=8.0,
        scale=0.08,
        shear=8.0,
        elastic_alpha=34.0,
        elastic_sigma=4.0,
    ),
}


def augment_batch(x: np.ndarray, rng: np.random.Generator, settings: Augmentation) -> np.ndarray:
    """Randomly distort a batch of images x (N, 784) or (N, 1, 28, 28) in [0, 1]; returns a new
    array of x's shape."""
    n = len(x)
    images = x.reshape(n, SIDE, SIDE)
    rows, cols = _affine_sources(n, rng, settings)
    if settings.elastic_alpha > 0:
        d_rows, d_cols = _elastic_displacements(n, rng, settings, x.dtype)
        rows += d_rows
        cols += d_cols
    return bilinear_sample(images, rows, cols).reshape(x.shape)


def _affine_sources(
    n: int, rng: np.random.Generator, s: Augmentation
) -> tuple[np.ndarray, np.ndarray]:
    """For each output pixel, the input coordinates it comes from: (N, 28, 28) rows and cols."""
    centre = (SIDE - 1) / 2
    angle = np.radians(rng.uniform(-s.rotate, s.rotate, n))
    shear = np.radians(rng.uniform(-s.shear, s.shear, n))
    zoom = 1 + rng.uniform(-s.scale, s.scale, n)
    shift_r, shift_c = rng.uniform(-s.shift, s.shift, (2, n))
    # Output offsets from the centre, mapped back to input offsets by the inverse transform
    # (rotation, shear along the rows, then zoom), then shifted.
    grid_r, grid_c = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64) - centre
    cos, sin = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    tan = np.tan(shear)[:, None, None]
    zoom = zoom[:, None, None]
    rows = (cos * grid_r - sin * grid_c) / zoom
    cols = (sin * grid_r + cos * grid_c) / zoom + tan * rows
    return rows + centre + shift_r[:, None, None], cols + centre + shift_c[:, None, None]


def _gaussian_matrix(sigma: float) -> np.ndarray:
    """G (28, 28) with G[i, j] = exp(-(i - j)^2 / 2 sigma^2), rows normalised: f @ G smooths f."""
    offsets = np.arange(SIDE)[:, None] - np.arange(SIDE)[None, :]
    weights = np.exp(-(offsets**2) / (2 * sigma**2))
    return weights / weights.sum(axis=0, keepdims=True)


def _elastic_displacements(
    n: int, rng: np.random.Generator, s: Augmentation, dtype: npt.DTypeLike
) -> tuple[np.ndarray, np.ndarray]:
    """Smooth random displacement fields (N, 28, 28) for rows and for columns."""
    gauss = _gaussian_matrix(s.elastic_sigma).astype(dtype)
    fields = rng.uniform(-1, 1, (2, n, SIDE, SIDE)).astype(dtype)
    smooth = fields @ gauss  # along each row
    smooth = np.swapaxes(np.swapaxes(smooth, -1, -2) @ gauss, -1, -2)  # along each column
    smooth *= s.elastic_alpha  # Simard: alpha 34 at sigma 4 moves pixels by ~1.5 px typically
    return smooth[0], smooth[1]


def bilinear_sample(images: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """images (N, H, W) sampled at fractional (rows, cols), each (N, H, W); outside is 0."""
    n, height, width = images.shape
    # A point more than a pixel outside reads only zeros: clipping it to one pixel outside
    # changes nothing, and keeps every neighbour's index inside the zero border below.
    rows, cols = np.clip(rows, -1, height), np.clip(cols, -1, width)
    r0, c0 = np.floor(rows), np.floor(cols)
    fr, fc = (rows - r0).astype(images.dtype), (cols - c0).astype(images.dtype)
    # Pad with zeros, one pixel before and two after, so that the 4 neighbours (r0 or r0 + 1,
    # c0 or c0 + 1) of any point in [-1, height] x [-1, width] are valid indices.
    padded = np.zeros((n, height + 3, width + 3), dtype=images.dtype)
    padded[:, 1 : height + 1, 1 : width + 1] = images
    r0 = r0.astype(np.int64) + 1
    c0 = c0.astype(np.int64) + 1
    flat = padded.reshape(n, -1)
    base = r0 * (width + 3) + c0
    base = base.reshape(n, -1)
    take = lambda offset: np.take_along_axis(flat, base + offset, axis=1)  # noqa: E731
    top = take(0) * (1 - fc.reshape(n, -1)) + take(1) * fc.reshape(n, -1)
    bottom = take(width + 3) * (1 - fc.reshape(n, -1)) + take(width + 4) * fc.reshape(n, -1)
    out = top * (1 - fr.reshape(n, -1)) + bottom * fr.reshape(n, -1)
    return out.reshape(n, height, width)
