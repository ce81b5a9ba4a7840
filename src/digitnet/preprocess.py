"""Turn any picture of a digit into what the network was trained on: MNIST's normalisation.

MNIST digits are light ink on a black field, scaled so that their longest side is 20 pixels
(anti-aliased), and placed in a 28x28 image with their centre of mass at the centre. A photo or a
scan is dark ink on a light page, any size, anywhere in the frame. `to_mnist` bridges the two; the
`predict` command and the drawing page both use it, so they always agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import DigitnetError

FIELD = 28  # output size
BOX = 20  # the longest side of the digit inside the field
MIN_SIDE = 8  # smaller pictures carry too little of a digit to scale up to 20 pixels
INK = 0.25  # pixels of the ink map above this make the digit's bounding box
MIN_CONTRAST = 0.1  # darkest-to-lightest range below which a picture is a blank page
MAX_PIXELS = 120_000_000  # larger images are refused unread: a 108-megapixel photo still fits


def to_mnist(picture: np.ndarray, name: str = "image") -> np.ndarray:
    """Normalise a picture, grayscale (H, W) or RGB (H, W, 3) in [0, 1], either polarity, to a
    (28, 28) float32 MNIST-style digit: light ink on black, cropped, longest side 20 px, centred
    on its mass. Photos are handled: see ink.find_ink."""
    from .ink import find_ink

    picture = np.asarray(picture, dtype=np.float32)
    if picture.ndim not in (2, 3) or (picture.ndim == 3 and picture.shape[2] != 3):
        raise DigitnetError(
            f"{name}: expected a 2-D grayscale or (H, W, 3) colour image, got shape "
            f"{picture.shape}"
        )
    if min(picture.shape[:2]) < MIN_SIDE:
        raise DigitnetError(
            f"{name}: {picture.shape[1]}x{picture.shape[0]} pixels is too small; "
            f"a digit needs at least {MIN_SIDE}x{MIN_SIDE}"
        )
    if not np.isfinite(picture).all():
        raise DigitnetError(f"{name}: the image contains NaN or infinite values")
    if float(picture.max() - picture.min()) < MIN_CONTRAST:
        raise DigitnetError(f"{name}: no ink found (a blank page?)")
    ink = find_ink(np.clip(picture, 0.0, 1.0))
    if not (ink > INK).any():
        raise DigitnetError(f"{name}: no ink found (a blank page?)")
    rows, cols = np.nonzero(ink > INK)  # the box scaled to 20 px
    digit = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    return _centre_on_mass(_scale_longest_side(digit, BOX))


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


def picture_array(image) -> np.ndarray:
    """A Pillow image as an RGB (H, W, 3) float32 array in [0, 1]: the camera's rotation
    honoured, transparency on white, reduced to ink.WORK_SIDE first if larger (photos)."""
    from PIL import Image, ImageOps

    from .ink import WORK_SIDE

    if image.format == "JPEG":  # decode a large JPEG at a fraction of its size: much faster
        image.draft("RGB", (WORK_SIDE, WORK_SIDE))
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    image = image.convert("RGB")
    if max(image.size) > WORK_SIDE:
        image.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
    return np.asarray(image, dtype=np.float32) / 255.0


def save_input_png(field: np.ndarray, path: str | Path, scale: int = 1) -> None:
    """Save a (28, 28) input in [0, 1] as a grayscale PNG (optionally enlarged), atomically."""
    from PIL import Image

    from .atomic import atomic_open

    image = Image.fromarray(np.round(field * 255).astype(np.uint8), mode="L")
    if scale > 1:
        image = image.resize((FIELD * scale, FIELD * scale), Image.Resampling.NEAREST)
    with atomic_open(path, "wb") as file:
        image.save(file, format="PNG")
