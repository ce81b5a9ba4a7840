"""A picture of how a number was read: the writing with a box around each digit, and under it
each digit as the network saw it (its 28x28 input) with the digit read (`predict --show-input`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .number import NumberReading
from .picture import Picture

if TYPE_CHECKING:
    from PIL import Image

WIDTH = 720  # the writing is shown this wide at most
FIELD_SCALE = 3  # each 28x28 input shown at 84x84
SURE, UNSURE = (0, 160, 60), (220, 120, 0)  # green boxes, orange for a digit not sure


def number_picture(picture: Picture, reading: NumberReading) -> Image.Image:
    """The writing around the number (from the original, with a margin) with each digit's box,
    and the digits' 28x28 inputs in a row below, each with the digit read and how sure."""
    from PIL import Image, ImageDraw

    xs = [d.box[0] for d in reading.digits] + [d.box[0] + d.box[2] for d in reading.digits]
    ys = [d.box[1] for d in reading.digits] + [d.box[1] + d.box[3] for d in reading.digits]
    margin = max(8, (max(ys) - min(ys)) // 2)
    height, width = picture.size
    top, left = max(0, min(ys) - margin), max(0, min(xs) - margin)
    bottom, right = min(height, max(ys) + margin), min(width, max(xs) + margin)
    scale = min(1.0, WIDTH / (right - left))
    crop = picture.region((top, left, bottom, right), scale)
    scale = crop.shape[1] / (right - left)  # as resized, to the pixel
    rgb = crop if crop.ndim == 3 else np.repeat(crop[..., None], 3, axis=2)
    writing = Image.fromarray(np.round(rgb * 255).astype(np.uint8), mode="RGB")
    side = 28 * FIELD_SCALE
    strip_width = len(reading.digits) * (side + 8) + 8
    canvas = Image.new(
        "RGB", (max(writing.width, strip_width), writing.height + side + 28), "white"
    )
    canvas.paste(writing, (0, 0))
    draw = ImageDraw.Draw(canvas)
    for i, digit in enumerate(reading.digits):
        x, y, w, h = digit.box
        colour = SURE if digit.sure else UNSURE
        box = [
            (x - left) * scale,
            (y - top) * scale,
            (x - left + w) * scale,
            (y - top + h) * scale,
        ]
        draw.rectangle(box, outline=colour, width=2)
        seen = Image.fromarray(np.round(digit.field * 255).astype(np.uint8), mode="L")
        at = (8 + i * (side + 8), writing.height + 4)
        canvas.paste(seen.resize((side, side), Image.Resampling.NEAREST), at)
        label = f"{digit.digit} ({digit.confidence:.0%})"
        draw.text((at[0], at[1] + side + 2), label, fill=colour)
    return canvas


def save_number_picture(picture: Picture, reading: NumberReading, path: str | Path) -> None:
    """Write number_picture as a PNG, atomically."""
    from ..atomic import atomic_open

    with atomic_open(path, "wb") as file:
        number_picture(picture, reading).save(file, format="PNG")
