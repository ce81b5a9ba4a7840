"""Turn any picture of a digit into what the network was trained on: MNIST's normalisation.

MNIST digits are light ink on a black field, scaled so that their longest side is 20 pixels
(anti-aliased), and placed in a 28x28 image with their centre of mass at the centre. A photo or a
scan is dark ink on a light page, any size, anywhere in the frame. `to_mnist` bridges the two; the
`predict` command and the drawing page both use it, so they always agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DigitnetError

if TYPE_CHECKING:
    from PIL import Image

FIELD = 28  # output size
BOX = 20  # the longest side of the digit inside the field
MIN_SIDE = 8  # smaller pictures carry too little of a digit to scale up to 20 pixels
INK = 0.25  # pixels of the ink map above this make the digit's bounding box
MIN_DIGIT = 0.1  # a digit's box spans at least this share of the picture's shorter side
MIN_CONTRAST = 0.1  # darkest-to-lightest range below which a picture is a blank page
MAX_PIXELS = 120_000_000  # larger images are refused unread: a 108-megapixel photo still fits


def to_mnist(picture: np.ndarray, name: str = "image") -> np.ndarray:
    """Normalise a picture, grayscale (H, W) or RGB (H, W, 3) in [0, 1], either polarity, to a
    (28, 28) float32 MNIST-style digit: light ink on black, cropped, longest side 20 px, centred
    on its mass. Photos are handled: see ink.find_ink."""
    from .ink import find_ink

    picture = check_picture(picture, name)
    ink = find_ink(np.clip(picture, 0.0, 1.0))
    if not (ink > INK).any():
        raise no_ink(name)
    rows, cols = np.nonzero(ink > INK)  # the box scaled to 20 px
    height, width = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
    if max(height, width) < max(MIN_DIGIT * min(ink.shape), 3):
        raise DigitnetError(
            f"{name}: the only ink is a speck ({width}x{height} pixels of {ink.shape[1]}x"
            f"{ink.shape[0]}); no digit found (crop the picture closer to the digit)"
        )
    return mnist_field(ink)


def check_picture(picture: np.ndarray, name: str) -> np.ndarray:
    """The picture as float32, refused with one line if it cannot hold a digit: the wrong
    shape, too small, not finite, or a blank page."""
    picture = np.asarray(picture, dtype=np.float32)
    if picture.ndim not in (2, 3) or (picture.ndim == 3 and picture.shape[2] != 3):
        raise DigitnetError(
            f"{name}: expected a 2-D grayscale or (H, W, 3) colour image, got shape "
            f"{picture.shape}"
        )
    _check_size(name, picture.shape[1], picture.shape[0])
    if not np.isfinite(picture).all():
        raise DigitnetError(f"{name}: the image contains NaN or infinite values")
    if float(picture.max() - picture.min()) < MIN_CONTRAST:
        raise DigitnetError(f"{name}: no ink found (a blank page?)")
    return picture


def no_ink(name: str) -> DigitnetError:
    """The error for a picture whose ink finding kept nothing."""
    return DigitnetError(
        f"{name}: no ink found (a blank page? on paper, strokes that touch the picture's "
        "edge are taken for the page's edge: leave a margin around the digit)"
    )


def mnist_field(ink: np.ndarray) -> np.ndarray:
    """A digit's ink map (H, W) in [0, 1], nothing else on it, as MNIST has it: cropped to the
    ink above INK, its longest side scaled to 20 px, centred on its mass in a 28x28 field."""
    rows, cols = np.nonzero(ink > INK)
    digit = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    return _centre_on_mass(_scale_longest_side(digit, BOX))


def _check_size(name: str | Path, width: int, height: int) -> None:
    """Refuse a picture too small to hold a digit worth scaling up to 20 pixels."""
    if min(width, height) < MIN_SIDE:
        raise DigitnetError(
            f"{name}: {width}x{height} pixels is too small; a digit needs at least "
            f"{MIN_SIDE}x{MIN_SIDE}"
        )


def _scale_longest_side(digit: np.ndarray, size: int) -> np.ndarray:
    """Resize so the longest side is `size` pixels, keeping the aspect ratio (anti-aliased)."""
    from PIL import Image  # heavy: imported only when a picture is processed

    height, width = digit.shape
    scale = size / max(height, width)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = Image.fromarray(digit, mode="F").resize(new_size, Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def _centre_on_mass(digit: np.ndarray) -> np.ndarray:
    """Place `digit` in a 28x28 field so that its centre of mass falls on the field's centre."""
    field = np.zeros((FIELD, FIELD), dtype=np.float32)
    total = digit.sum()
    rows, cols = np.indices(digit.shape)
    centre = FIELD / 2  # MNIST's convention: pixel (14, 14) (its test set averages 13.99, 14.00)
    top = round(centre - (rows * digit).sum() / total)
    left = round(centre - (cols * digit).sum() / total)
    # paste with clipping, in case the shift pushes an edge of the digit out of the field
    r0, c0 = max(top, 0), max(left, 0)
    r1 = min(top + digit.shape[0], FIELD)
    c1 = min(left + digit.shape[1], FIELD)
    field[r0:r1, c0:c1] = digit[r0 - top : r1 - top, c0 - left : c1 - left]
    return field


def load_image(path: str | Path) -> np.ndarray:
    """Read a PNG/JPEG/... with Pillow as an RGB (H, W, 3) array in [0, 1] (see picture_array);
    an image over MAX_PIXELS is refused before it is decoded."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise DigitnetError(f"{path}: image file not found")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit
            with Image.open(path) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise Image.DecompressionBombError(image.width, image.height)
                _check_size(path, image.width, image.height)  # the file's size, not reduced
                return picture_array(image)
    except Image.DecompressionBombError:
        raise DigitnetError(
            f"{path}: the image is far too large to read safely (over {MAX_PIXELS:,} pixels); "
            "resize it first"
        ) from None
    except UnidentifiedImageError:
        raise DigitnetError(f"{path}: not an image Pillow can read (PNG, JPEG, ...)") from None
    except (OSError, ValueError) as error:
        raise DigitnetError(f"{path}: cannot read the image ({error})") from None


def picture_array(image: Image.Image) -> np.ndarray:
    """A Pillow image as an RGB (H, W, 3) float32 array in [0, 1] ((H, W) for 16- and 32-bit
    grayscale): the camera's rotation honoured, transparency on white, reduced to
    ink.WORK_SIDE first if larger (photos)."""
    from PIL import Image, ImageOps

    from .ink import WORK_SIDE, reduce_picture

    if image.format == "JPEG":  # decode a large JPEG at a fraction of its size: much faster
        image.draft("RGB", (WORK_SIDE, WORK_SIDE))
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16/32-bit gray: "L" would clip
        pixels = np.asarray(image, dtype=np.float32)
        if image.mode.startswith("I;16"):
            full_scale = 65535.0
        elif image.mode == "I":  # 16-bit PNGs open as "I" in older Pillows
            full_scale = 65535.0 if pixels.max() > 255 else 255.0
        else:  # "F": floats in [0, 1], or in any range
            full_scale = max(1.0, float(pixels.max()))
        return reduce_picture(np.clip(pixels / full_scale, 0.0, 1.0))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    if image.mode in ("1", "P"):  # reduced with a filter, not by nearest neighbour
        image = image.convert("RGB")
    if max(image.size) > WORK_SIDE:  # before converting: a 100-megapixel PNG stays small
        image.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0


def save_input_png(field: np.ndarray, path: str | Path, scale: int = 1) -> None:
    """Save a (28, 28) input in [0, 1] as a grayscale PNG (optionally enlarged), atomically."""
    from PIL import Image

    from ..atomic import atomic_open

    image = Image.fromarray(np.round(field * 255).astype(np.uint8), mode="L")
    if scale > 1:
        image = image.resize((FIELD * scale, FIELD * scale), Image.Resampling.NEAREST)
    with atomic_open(path, "wb") as file:
        image.save(file, format="PNG")
