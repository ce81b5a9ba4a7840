"""Pictures of whole numbers made of single digits, with each digit's box known.

`compose(digits, rng, spacing)` writes small ink-bright digits (MNIST 28x28 or UCI 8x8 images,
values in [0, 1]) side by side on a page, as a person writes a number: heights varying by about
20%, the baseline slightly slanted, and the gaps `wide`, `close`, `touching` (neighbours' strokes
meet; where they would meet only with one nested under the other, their boxes overlap by at most
a fifth of the narrower's width and a pen stroke joins them, as a hand joins digits) or
`overlapping` (they cross a little). `number_photo` photographs such a page under the
conditions of tests/photos.py; `phone_photo` puts small writing on a 12-megapixel page with light
falling off towards its edges. Used by the tests and by benchmarks/numbers.py.
"""

from __future__ import annotations

import numpy as np
from photos import CONDITIONS, photograph_page
from PIL import Image

SPACINGS = ("wide", "close", "touching", "overlapping")
MAX_OVERLAP = {"touching": 0.2, "overlapping": 0.3}  # of the narrower digit's width, box on box
Box = tuple[int, int, int, int]  # x, y, width, height


def compose(
    digits, rng: np.random.Generator, spacing: str = "wide", height: int | None = None
) -> tuple[np.ndarray, list[Box]]:
    """A page (2-D float32, 1 where the pen wrote) with the digits written in a line, and each
    digit's box on it. `height` is the line's height in pixels (random, 60-120, if None)."""
    assert spacing in SPACINGS, spacing
    base = height or int(rng.integers(60, 121))
    pieces = [_scaled(d, round(base * rng.uniform(0.9, 1.1))) for d in digits]
    slope = np.tan(np.radians(rng.uniform(-4, 4)))
    margin = round(base * rng.uniform(0.5, 1.2))
    width = sum(p.shape[1] for p in pieces) + base * len(pieces) + 2 * margin
    page = np.zeros((3 * base + 2 * margin, width), dtype=np.float32)
    baseline = margin + round(1.6 * base)
    boxes: list[Box] = []
    placed: list[tuple[int, int, np.ndarray]] = []  # (top, left, piece) of each digit
    x = margin
    for i, piece in enumerate(pieces):
        h, w = piece.shape
        join = False
        if i:
            x = _next_x(page, piece, x, baseline, slope, spacing, base, rng)
            if spacing in MAX_OVERLAP:
                x, join = _within_overlap(boxes[-1], piece, x, MAX_OVERLAP[spacing])
        jitter = 0.0 if spacing in MAX_OVERLAP else rng.uniform(-0.04, 0.04) * base
        top = baseline - h + round(slope * x + jitter)
        page[top : top + h, x : x + w] = np.maximum(page[top : top + h, x : x + w], piece)
        if join:
            _ligature(page, placed[-1], (top, x, piece), pen=max(2, round(0.1 * base)))
        placed.append((top, x, piece))
        rows, cols = np.nonzero(piece > 0.5)
        boxes.append(
            (
                int(x + cols.min()),
                int(top + rows.min()),
                int(np.ptp(cols)) + 1,
                int(np.ptp(rows)) + 1,
            )
        )
        x += w
    right = max(b[0] + b[2] for b in boxes) + margin
    return page[:, :right], boxes


def _within_overlap(before: Box, piece: np.ndarray, x: int, share: float) -> tuple[int, bool]:
    """Where the digit starts if its box may overlap the one before by at most `share` of the
    narrower's width, and whether it must then be joined to it by a stroke (it no longer
    touches: digits that touch do so near their edges, not nested in each other)."""
    cols = np.flatnonzero((piece > 0.5).any(axis=0))
    limit = round(share * min(before[2], cols[-1] - cols[0] + 1))
    overlap = before[0] + before[2] - (x + cols[0])
    if overlap <= limit:
        return x, False
    return before[0] + before[2] - limit - cols[0], True


def _ligature(page: np.ndarray, first, second, pen: int) -> None:
    """Join two placed digits by a pen stroke between their nearest pixels of ink."""
    from PIL import ImageDraw

    points = []
    for top, left, piece in (first, second):
        rows, cols = np.nonzero(piece > 0.5)
        points.append(np.stack([rows + top, cols + left], axis=1)[::3])
    a, b = points
    distance = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    i, j = np.unravel_index(np.argmin(distance), distance.shape)
    stroke = Image.new("F", (page.shape[1], page.shape[0]), 0.0)
    ImageDraw.Draw(stroke).line(
        [(int(a[i, 1]), int(a[i, 0])), (int(b[j, 1]), int(b[j, 0]))], fill=1.0, width=pen
    )
    np.maximum(page, np.asarray(stroke), out=page)


def _scaled(digit: np.ndarray, height: int) -> np.ndarray:
    """The digit cropped to its ink and scaled to `height` pixels, its aspect kept."""
    digit = np.asarray(digit, dtype=np.float32)
    rows, cols = np.nonzero(digit > 0.1)
    ink = digit[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    width = max(1, round(ink.shape[1] * height / ink.shape[0]))
    scaled = Image.fromarray(ink, mode="F").resize((width, height), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(scaled), 0.0, 1.0)


def _next_x(page, piece, x_after, baseline, slope, spacing, base, rng) -> int:
    """Where the next digit starts: after a gap, or where its strokes touch (or cross) the ink
    already on the page."""
    if spacing == "wide":
        return x_after + round(base * rng.uniform(0.25, 0.6))
    if spacing == "close":
        return x_after + round(base * rng.uniform(0.04, 0.15))
    h, w = piece.shape
    x = x_after + round(0.3 * base)
    top = baseline - h + round(slope * x)
    written = page[top : top + h] > 0.5
    mine = piece > 0.5
    touch = None
    for start in range(x, max(0, x - 2 * base), -1):  # slide left until the strokes meet
        region = written[:, start : start + w]
        if region.shape[1] < w:
            continue
        grown = region.copy()
        grown[:, :-1] |= region[:, 1:]  # 8-connected: one pixel apart is touching
        grown[1:] |= grown[:-1].copy()
        if (grown & mine).any():
            touch = start
            break
    if touch is None:
        return x_after
    if spacing == "overlapping":
        touch -= round(base * rng.uniform(0.04, 0.1))
    return touch


def number_photo(page: np.ndarray, rng: np.random.Generator, conditions=()) -> Image.Image:
    """The page as a picture: black ink on white paper, or "photographed" under `conditions`
    (those of tests/photos.py; "blur+rotation" turns the whole page by up to 4 degrees)."""
    if "blur+rotation" in conditions:
        turned = Image.fromarray(page, mode="F").rotate(
            rng.uniform(-4, 4), Image.Resampling.BILINEAR, expand=True
        )
        page = np.clip(np.asarray(turned), 0.0, 1.0)
    return photograph_page(page, rng, conditions)


def phone_photo(page: np.ndarray, rng: np.random.Generator, size=(3024, 4032)) -> Image.Image:
    """The page's writing (already small: a line 40-80 pixels tall) at a random place on a
    page filling a phone's frame (12 megapixels), the light falling off by 30-55% towards the
    corners, the paper slightly tinted, sensor noise."""
    height, width = size
    alpha = np.zeros(size, dtype=np.float32)
    top = int(rng.integers(height // 8, height - page.shape[0] - height // 8))
    left = int(rng.integers(width // 8, width - page.shape[1] - width // 8))
    alpha[top : top + page.shape[0], left : left + page.shape[1]] = page
    rows = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
    cols = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    light = 1 - rng.uniform(0.3, 0.55) * (rows**2 + cols**2) / 2
    paper = rng.uniform(215, 245) + rng.uniform(-15, 5, size=3)
    rgb = np.empty((height, width, 3), dtype=np.uint8)
    noise = rng.normal(0, 4, size=(height, width)).astype(np.float32)
    for c in range(3):
        value = (paper[c] * (1 - alpha) + 30 * alpha) * light + noise
        rgb[..., c] = np.clip(value, 0, 255)
    return Image.fromarray(rgb, mode="RGB")


__all__ = ["CONDITIONS", "SPACINGS", "compose", "number_photo", "phone_photo"]
