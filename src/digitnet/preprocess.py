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
INK = 0.25  # after contrast normalisation, pixels above this count as ink for the bounding box
MIN_CONTRAST = 0.1  # darkest-to-lightest range below which a picture is a blank page


def to_mnist(gray: np.ndarray, name: str = "image") -> np.ndarray:
    """Normalise a grayscale picture (H, W) in [0, 1], either polarity, to a (28, 28) float32
    MNIST-style digit: light ink on black, cropped, longest side 20 px, centred on its mass."""
    gray = np.asarray(gray, dtype=np.float32)
    if gray.ndim != 2:
        raise DigitnetError(f"{name}: expected a 2-D grayscale image, got shape {gray.shape}")
    if min(gray.shape) < MIN_SIDE:
        raise DigitnetError(
            f"{name}: {gray.shape[1]}x{gray.shape[0]} pixels is too small; "
            f"a digit needs at least {MIN_SIDE}x{MIN_SIDE}"
        )
    if not np.isfinite(gray).all():
        raise DigitnetError(f"{name}: the image contains NaN or infinite values")
    ink = _ink_bright(gray)
    if ink.max() < MIN_CONTRAST:
        raise DigitnetError(f"{name}: no ink found (a blank page?)")
    ink = np.clip(ink / ink.max(), 0.0, 1.0)  # the darkest stroke becomes full intensity
    rows, cols = np.nonzero(ink > INK)
    digit = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    return _centre_on_mass(_scale_longest_side(digit, BOX))


def _ink_bright(gray: np.ndarray) -> np.ndarray:
    """Flip dark-on-light to light-on-dark, judged by the border (the page), and remove the
    page's own brightness, so that background is ~0 and ink is positive."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    page = float(np.median(border))
    if page > 0.5:  # a light page: dark ink
        gray, page = 1.0 - gray, 1.0 - page
    return np.clip(gray - page, 0.0, None)


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


def load_grayscale(path: str | Path) -> np.ndarray:
    """Read a PNG/JPEG/... with Pillow as grayscale in [0, 1]; transparency counts as white."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise DigitnetError(f"{path}: image file not found")
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)  # photos: honour the camera's rotation
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                white = Image.new("RGBA", image.size, (255, 255, 255, 255))
                image = Image.alpha_composite(white, image.convert("RGBA"))
            pixels = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    except UnidentifiedImageError:
        raise DigitnetError(f"{path}: not an image Pillow can read (PNG, JPEG, ...)") from None
    except (OSError, ValueError) as error:
        raise DigitnetError(f"{path}: cannot read the image ({error})") from None
    return pixels


def save_input_png(field: np.ndarray, path: str | Path, scale: int = 1) -> None:
    """Save a (28, 28) input in [0, 1] as a grayscale PNG (optionally enlarged), atomically."""
    from PIL import Image

    from .atomic import atomic_open

    image = Image.fromarray(np.round(field * 255).astype(np.uint8), mode="L")
    if scale > 1:
        image = image.resize((FIELD * scale, FIELD * scale), Image.Resampling.NEAREST)
    with atomic_open(path, "wb") as file:
        image.save(file, format="PNG")
