"""Find the ink in a picture: even out the page's lighting, threshold, keep the digit's strokes.

A photo of a digit on paper is not a clean image: the paper is tinted, the light falls off across
the page, a hand or a phone casts a shadow, the sensor adds noise. `find_ink` turns such a
picture into an ink map, 0 on the page and up to 1 on the strokes, holding only the strokes that
make the digit. preprocess.to_mnist then crops, scales and centres it as MNIST did.

The steps, with SciPy's ndimage for the image filters and connected components:
1. the page's own brightness, from a grey closing (a maximum filter then a minimum filter wider
   than any stroke, which erases the ink and keeps the light: gradient and shadow included),
   divided away, per colour channel so that coloured ink on tinted paper counts as ink;
2. a threshold chosen from the picture itself (Otsu's method);
3. the connected strokes that make the digit, dropping specks and the page's edges.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601, as Pillow's "L"
FLATTEN_MIN_SIDE = 64  # smaller pictures are digital images with an even page: no flattening
WORK_SIDE = 512  # larger pictures are reduced to this longest side first (a digit ends at 20 px)
PAGE_FILTER = 1 / 5  # the closing's width as a share of the shorter side: wider than a stroke
SPECK = 0.05  # components smaller than this share of the largest are specks
STRONG_INK = 0.5  # ink this much darker than its page is a pen's (blank photos: 0.42 at most)
UNEVEN = 0.2  # a border whose brightness spreads more than this is a photo's, not a drawing's
MAIN_SHARE = 0.25  # the largest stroke off the border is the main one from this share of the top
NEAR = 0.35  # strokes further from the main one than this share of its size are not the digit
EDGE = 0.06  # a stroke's soft edge reaches this share of the digit's size beyond the threshold


def find_ink(picture: np.ndarray) -> np.ndarray:
    """Ink map (H', W') in [0, 1] of a picture (H, W) or (H, W, 3) in [0, 1], either polarity:
    0 where the page is, up to 1 on the digit's strokes; everything but the digit removed.
    Pictures larger than WORK_SIDE are reduced first, so H', W' may be smaller than H, W."""
    found = ink_map(reduce_picture(picture))
    if found.top <= 0:
        return found.ink
    digit = digit_components(found.ink > found.threshold, edges_are_page=found.faint_photo)
    return stretch(found.ink, digit, found.threshold) if digit.any() else np.zeros_like(found.ink)


class InkMap(NamedTuple):
    """A picture's ink before any stroke is chosen: `ink` (H, W) in [0, 1] (1 at the darkest
    ink), Otsu's `threshold` on it, whether the picture is a photo of paper, and the strongest
    ink's darkness against its page (`top`, 0 for a blank picture)."""

    ink: np.ndarray
    threshold: float
    photo: bool
    top: float

    @property
    def faint_photo(self) -> bool:
        """On paper, faint strokes at the border are the page's edges or shadows; strong ink
        there may be a digit that touches the edge (a tight crop)."""
        return self.photo and self.top < STRONG_INK


def ink_map(picture: np.ndarray, edges: str = "reflect") -> InkMap:
    """The ink of a picture (H, W) or (H, W, 3) in [0, 1], its lighting evened out (steps 1
    and 2 above), at the picture's own size. `edges` is how the page's light is continued
    beyond the picture: "reflect" (what single digits have always been read with) mirrors a
    light falling off towards a corner into a dark valley there, which the closing fills, so
    the corners look inked; "nearest" continues it flat, and the corners stay page."""
    if min(picture.shape[:2]) < FLATTEN_MIN_SIDE:
        ink, photo = _even(picture), False
    else:
        photo = light_page(picture)  # dark ink on paper: a photo or a scan
        ink = _flatten(picture, photo, edges)
    top = float(ink.max())
    if top <= 0:
        return InkMap(ink, 0.0, photo, 0.0)
    ink = ink / top
    return InkMap(ink, otsu_threshold(ink), photo, top)


def gray(picture: np.ndarray) -> np.ndarray:
    """Luminance (H, W) of an RGB picture; a grayscale picture unchanged."""
    return picture @ LUMA if picture.ndim == 3 else picture


def light_page(picture: np.ndarray) -> bool:
    """True for dark ink on a light page. A light border says so, and so does an uneven one (a
    photo's shadows and light falling off); a dark, even border may be the black of a drawing or
    of an MNIST image, or a dim page, or the desk around a page: then the picture's darker pixels
    (split by Otsu's threshold) are the ink if they are the fewer."""
    luma = gray(picture)
    low, median, high = np.percentile(_border(luma), [5, 50, 95])
    if median > 0.5 or high - low > UNEVEN:
        return True
    return bool(np.mean(luma <= otsu_threshold(np.clip(luma, 0.0, 1.0))) < 0.5)


def _border(image: np.ndarray) -> np.ndarray:
    return np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])


def reduce_picture(picture: np.ndarray, side: int = WORK_SIDE) -> np.ndarray:
    """Shrink a picture whose longest side is over `side` (area-averaging), else as is."""
    height, width = picture.shape[:2]
    scale = side / max(height, width)
    if scale >= 1:
        return picture
    from PIL import Image

    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    channels = picture[..., None] if picture.ndim == 2 else picture
    reduced = np.stack(
        [
            np.asarray(
                Image.fromarray(_f32(channels[..., c]), mode="F").resize(
                    size, Image.Resampling.BOX
                )
            )
            for c in range(channels.shape[-1])
        ],
        axis=-1,
    )
    return np.clip(reduced[..., 0] if picture.ndim == 2 else reduced, 0.0, 1.0)


def _even(picture: np.ndarray) -> np.ndarray:
    """Ink of a small picture on an even page: its distance from the border's median brightness
    (a small digit may touch its border, so the border's spread says nothing of the light)."""
    luma = gray(picture)
    page = float(np.median(_border(luma)))
    if page > 0.5:  # a light page: dark ink
        luma, page = 1.0 - luma, 1.0 - page
    return np.clip(luma - page, 0.0, None)


def _flatten(picture: np.ndarray, light: bool, edges: str = "reflect") -> np.ndarray:
    """Ink of a picture whose page may be unevenly lit. Its light is estimated by a grey closing
    (dark ink on a light page) or opening (light ink on a dark page) wider than the strokes,
    then divided away (per channel: coloured ink counts) or subtracted (a dark page, where
    dividing by ~0 would amplify noise)."""
    from scipy import ndimage

    width = (max(3, round(min(picture.shape[:2]) * PAGE_FILTER)),) * 2

    def smooth(image: np.ndarray) -> np.ndarray:
        return ndimage.gaussian_filter(image, 1.0)  # sensor noise

    if not light:
        luma = smooth(gray(picture))
        return luma - ndimage.grey_opening(luma, size=width, mode=edges)
    channels = picture[..., None] if picture.ndim == 2 else picture
    darkness = []
    for c in range(channels.shape[-1]):
        light = smooth(channels[..., c])  # type: ignore[assignment]  # reuses the flag's name
        # steps (a page's edge) stay steps
        page = ndimage.grey_closing(light, size=width, mode=edges)
        darkness.append(1.0 - np.clip(light / np.maximum(page, 1e-3), 0.0, 1.0))
    return np.max(darkness, axis=0)


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """Otsu's threshold for values in [0, 1]: the cut that maximises the variance between the
    two classes, w0 w1 (mu0 - mu1)^2, over a histogram of `bins` bins."""
    counts, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(counts)  # pixels at or below each cut
    w1 = w0[-1] - w0
    s0 = np.cumsum(counts * centres)
    mu0 = s0 / np.maximum(w0, 1)
    mu1 = (s0[-1] - s0) / np.maximum(w1, 1)
    between = w0 * w1 * (mu0 - mu1) ** 2
    return float(edges[1:][np.argmax(between)])


def digit_components(mask: np.ndarray, edges_are_page: bool = False) -> np.ndarray:
    """The part of a binary ink mask that makes the digit: its main connected stroke, and the
    other strokes near it that are more than specks (a 5's flag, a 7's bar, a broken stroke).
    With edges_are_page (photos of paper), strokes touching the picture's border are the page's
    edges or shadows, never the digit: a mask with nothing else gives an empty mask."""
    from scipy import ndimage

    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))  # 8-connected
    if count == 0:
        return mask
    areas = np.bincount(labels.ravel())[1:]
    boxes = ndimage.find_objects(labels)
    on_border = np.array([_touches_border(box, mask.shape) for box in boxes])
    if edges_are_page and on_border.all():
        return np.zeros_like(mask)
    main = _main_stroke(areas, on_border, edges_are_page)
    sizeable = areas >= SPECK * areas[main]
    keep = [
        k
        for k in np.flatnonzero(sizeable)
        if k == main or (_near(boxes[k], boxes[main]) and (on_border[main] or not on_border[k]))
    ]
    return np.isin(labels, np.array(keep) + 1)


def _main_stroke(areas: np.ndarray, on_border: np.ndarray, edges_are_page: bool) -> int:
    """The largest stroke away from the picture's border (the page's edges and shadow borders
    touch it; a digit rarely does), unless it is much smaller than the largest of all (then
    that, in a drawing or a digital image, which may touch its border)."""
    inner = np.flatnonzero(~on_border)
    if len(inner) and (edges_are_page or areas[inner].max() >= MAIN_SHARE * areas.max()):
        return int(inner[np.argmax(areas[inner])])
    return int(np.argmax(areas))


def _touches_border(box: tuple[slice, slice], shape: tuple[int, int]) -> bool:
    rows, cols = box
    return rows.start == 0 or cols.start == 0 or rows.stop == shape[0] or cols.stop == shape[1]


def _near(box: tuple[slice, slice], main: tuple[slice, slice]) -> bool:
    """True if `box` overlaps `main` grown by NEAR of its height and width on every side."""
    (rows, cols), (main_rows, main_cols) = box, main
    grow_r = NEAR * (main_rows.stop - main_rows.start)
    grow_c = NEAR * (main_cols.stop - main_cols.start)
    return (
        rows.stop > main_rows.start - grow_r
        and rows.start < main_rows.stop + grow_r
        and cols.stop > main_cols.start - grow_c
        and cols.start < main_cols.stop + grow_c
    )


def stretch(ink: np.ndarray, digit: np.ndarray, threshold: float) -> np.ndarray:
    """Keep the ink around the digit's strokes, with their soft edges (which reach further the
    larger the digit: EDGE of its size), the page's residual noise taken off and the strokes'
    cores at full intensity, as in MNIST."""
    from scipy import ndimage

    rows, cols = np.nonzero(digit)
    reach = max(2, round(EDGE * max(np.ptp(rows), np.ptp(cols))))
    around = ndimage.maximum_filter(digit, size=2 * reach + 1)
    outside = ink[~around]
    floor = min(float(np.percentile(outside, 99)), threshold) if outside.size else 0.0
    core = float(np.percentile(ink[digit], 90))
    stretched = np.clip((ink - floor) / max(core - floor, 1e-6), 0.0, 1.0)
    stretched[~around] = 0.0
    return stretched


def _f32(channel: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(channel, dtype=np.float32)
