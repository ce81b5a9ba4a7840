"""Photo-like pictures of digits: what a phone camera makes of a digit written on paper.

`photograph(digit, rng, conditions)` takes a small ink-bright digit (an MNIST 28x28 or a UCI 8x8
image, values in [0, 1]), writes it large in ink on a page and applies the named conditions, the
ones that make real photos hard: tinted paper, light falling off across the page, a soft shadow,
blue ink, sensor noise, slight blur and rotation, JPEG compression. Used by the tests and by
benchmarks/photos.py.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

CONDITIONS = ("tinted paper", "gradient", "shadow", "blue ink", "noise", "blur+rotation", "jpeg")
SMALL = "small in frame"  # not among the defaults: the digit a quarter to a third of the picture
# The photo benchmarks' rows and their conditions: clean, each condition alone, all together,
# small in the frame, and all together small in the frame.
PLAN: dict[str, tuple[str, ...]] = (
    {"clean": ()}
    | {condition: (condition,) for condition in CONDITIONS}
    | {"all together": CONDITIONS, SMALL: (SMALL,), f"all together, {SMALL}": (*CONDITIONS, SMALL)}
)
BLACK_INK = np.array([28.0, 28.0, 34.0])


def photograph(digit: np.ndarray, rng: np.random.Generator, conditions=CONDITIONS) -> Image.Image:
    """An RGB photo-like picture of `digit` (2-D, ink bright in [0, 1]) under `conditions`."""
    unknown = set(conditions) - {*CONDITIONS, SMALL}
    assert not unknown, f"unknown conditions {unknown}"
    ink = _large_ink(np.asarray(digit, dtype=np.float32), rng, "blur+rotation" in conditions)
    return photograph_page(_on_page(ink, rng, SMALL in conditions), rng, conditions)


def photograph_page(alpha: np.ndarray, rng: np.random.Generator, conditions) -> Image.Image:
    """An RGB photo-like picture of a page whose ink is `alpha` (2-D, 1 where the pen wrote),
    under `conditions` (any but the digit's own rotation and size)."""
    height, width = alpha.shape
    paper = np.full(3, 250.0)
    if "tinted paper" in conditions:
        paper = rng.uniform(200, 240) + rng.uniform(-30, 8, size=3)  # cream, grey, pink...
    colour = BLACK_INK
    if "blue ink" in conditions:
        colour = np.array([rng.uniform(20, 60), rng.uniform(35, 80), rng.uniform(130, 190)])
    rgb = paper * (1 - alpha[..., None]) + colour * alpha[..., None]
    light = np.ones((height, width))
    if "gradient" in conditions:
        light *= 1 - rng.uniform(0.3, 0.55) * _ramp(height, width, rng)
    if "shadow" in conditions:
        light *= 1 - rng.uniform(0.35, 0.55) * _soft_shadow(height, width, rng)
    rgb *= light[..., None]
    picture = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), mode="RGB")
    if "blur+rotation" in conditions:
        picture = picture.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.8)))
    if "noise" in conditions:
        noisy = np.asarray(picture, dtype=np.float64)
        noisy = noisy + rng.normal(0, rng.uniform(5, 12), noisy.shape)
        picture = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), mode="RGB")
    if "jpeg" in conditions:
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=int(rng.integers(50, 81)))
        picture = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    return picture


def _large_ink(digit: np.ndarray, rng: np.random.Generator, rotate: bool) -> np.ndarray:
    """The digit scaled so that it is 150-330 px tall (bilinear), optionally rotated."""
    side = int(rng.integers(150, 331))
    ink = Image.fromarray(digit, mode="F").resize((side, side), Image.Resampling.BILINEAR)
    if rotate:
        ink = ink.rotate(rng.uniform(-10, 10), Image.Resampling.BILINEAR, expand=True)
    return np.clip(np.asarray(ink), 0, 1)


def _on_page(ink: np.ndarray, rng: np.random.Generator, small: bool) -> np.ndarray:
    """Place the ink at a random place on a larger page: margins 40-300 px, or (small) a page
    3 to 4 times the ink's size."""
    if small:
        height, width = (int(side * rng.uniform(3, 4)) for side in ink.shape)
    else:
        height = ink.shape[0] + int(rng.integers(40, 301))
        width = ink.shape[1] + int(rng.integers(40, 301))
    page = np.zeros((height, width), dtype=np.float32)
    top = int(rng.integers(0, height - ink.shape[0] + 1))
    left = int(rng.integers(0, width - ink.shape[1] + 1))
    page[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    return page


def _ramp(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """0 on one side of the page rising linearly to 1 on the other, in a random direction."""
    angle = rng.uniform(0, 2 * np.pi)
    rows, cols = np.mgrid[0:height, 0:width]
    along = np.cos(angle) * cols + np.sin(angle) * rows
    return (along - along.min()) / (along.max() - along.min())


def _soft_shadow(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """1 inside a shadow covering 20-50% of the page from one side, 0 outside, soft-edged."""
    angle = rng.uniform(0, 2 * np.pi)
    rows, cols = np.mgrid[0:height, 0:width]
    along = np.cos(angle) * cols + np.sin(angle) * rows
    edge = np.quantile(along, 1 - rng.uniform(0.2, 0.5))
    softness = rng.uniform(6, 25)  # pixels over which the shadow fades in
    return 1 / (1 + np.exp(-(along - edge) / softness))
