"""A picture to read, with a way back to its full resolution.

`digitnet predict` reads a file reduced to ink.WORK_SIDE (a digit ends at 20 pixels anyway), but
a number written small on a 12-megapixel photo is only a few pixels tall in that reduction: its
digits are cut out of the original instead. A Picture holds the reduced pixels that the single
digit reading has always used, the original's size, and how to fetch a region of the original.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DigitnetError

Box = tuple[int, int, int, int]  # top, left, bottom, right in the original's pixels


@dataclass
class Picture:
    """`pixels`: the picture as to_mnist reads it, (H, W) or (H, W, 3) in [0, 1]; `size`: the
    original's (height, width); `region(box, scale)`: a box of the original, resized by scale."""

    pixels: np.ndarray
    size: tuple[int, int]
    region: Callable[[Box, float], np.ndarray]


def from_array(picture: np.ndarray) -> Picture:
    """A picture already in memory, at full resolution."""
    picture = np.asarray(picture, dtype=np.float32)

    def region(box: Box, scale: float) -> np.ndarray:
        from ..data.ink import reduce_picture

        top, left, bottom, right = box
        crop = picture[top:bottom, left:right]
        return reduce_picture(crop, max(1, round(max(crop.shape[:2]) * scale)))

    return Picture(picture, picture.shape[:2], region)


def from_file(path: str | Path) -> Picture:
    """An image file: read reduced as `digitnet predict` always has (preprocess.load_image);
    the original is decoded again only if a region of it is asked for."""
    from PIL import Image, ImageOps

    from ..data.preprocess import load_image, picture_array

    pixels = load_image(path)  # checks the file, its size and that it can be decoded
    with Image.open(path) as image:
        width, height = image.size
        if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # a rotation by 90 degrees
            width, height = height, width

    def region(box: Box, scale: float) -> np.ndarray:
        top, left, bottom, right = box
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # load_image's
                with Image.open(path) as image:
                    upright = ImageOps.exif_transpose(image)
                    crop = upright.crop((left, top, right, bottom))
                    if crop.mode in ("1", "P"):  # reduced with a filter, not nearest neighbour
                        crop = crop.convert("RGB")
                    if scale < 1:
                        size = (
                            max(1, round(crop.width * scale)),
                            max(1, round(crop.height * scale)),
                        )
                        crop = crop.resize(size, Image.Resampling.BOX)
                    return picture_array(crop)
        except (OSError, ValueError) as error:  # the file changed or broke since it was read
            raise DigitnetError(f"{path}: cannot read the image ({error})") from None

    return Picture(pixels, (height, width), region)
