"""Cut the ink of a picture of a number into pieces that can be grouped into its digits.

A number's digits are usually separate strokes, but not always: a digit may be in several pieces
(a 5's flag, a broken stroke), neighbours may touch, and specks and dots lie between them. This
module does no reading: it finds the ink's connected strokes, drops the page's edges, and cuts
any stroke wider than a digit into vertical slices at candidate cut points (the valleys of its
column profile, and a regular grid between them). The units it returns, in order from left to
right, are what reading.number groups into digits, letting the network choose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.ink import InkMap
from ..errors import DigitnetError

FAINT = 0.25  # ink under this share of the darkest is never a stroke (a page's noise, corners)
SPECK = 0.3  # a unit whose longest side is under this share of the line's height may be dropped
BORDER = 0.01  # a stroke this share of the picture's side from its border touches it
INNER_SHARE = 0.25  # inner strokes this tall against the border's are the writing
WIDE = 1.3  # a stroke wider than this many line heights may be touching digits: it is cut
SPACING = 1 / 5  # a candidate cut crosses the least ink within this share of a line's height
GRID = 1 / 6  # and, whatever it crosses, one every this share of a line's height
MIN_SLICE = 1 / 12  # slices narrower than this share of the line's height are merged
DRIFT = 1 / 4  # a cut may wander this share of the line's height from its column
LINE_GAP = 0.2  # lines of writing further apart than this share of a line's height are two
FLAT = 3  # ink whose tallest strokes are under this many pen widths is not a line of digits
MAX_UNITS = 400  # a picture with more units than this is not one number


@dataclass
class Unit:
    """A piece of ink: a stroke, or a vertical slice of a wide one. `mask` is the piece's ink
    in its box (rows, cols) of the picture; `cut_left` is how thick the ink is where it was
    cut from its left neighbour (0 when it was not cut there)."""

    mask: np.ndarray  # (h, w) bool
    top: int
    left: int
    cut_left: float = 0.0
    crossings: int = 0  # how many strokes that cut went through
    stroke: int = -1  # which stroke it was cut from (-1: it is a whole stroke)

    @property
    def bottom(self) -> int:
        return self.top + self.mask.shape[0]

    @property
    def right(self) -> int:
        return self.left + self.mask.shape[1]

    @property
    def centre(self) -> float:
        return self.left + self.mask.shape[1] / 2


@dataclass
class Strokes:
    """The ink of a picture as units, with the line's height (a typical digit's) in pixels."""

    units: list[Unit]
    line_height: float
    pen: float = 1.0  # the pen's width in pixels


def find_units(found: InkMap, name: str) -> Strokes:
    """The picture's ink as units sorted left to right: its strokes, the page's edges dropped,
    strokes wider than a digit cut into slices."""
    from scipy import ndimage

    mask = found.ink > max(found.threshold, FAINT)
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))  # 8-connected
    boxes = ndimage.find_objects(labels)
    strokes = [
        Unit((labels[box] == k + 1), box[0].start, box[1].start) for k, box in enumerate(boxes)
    ]
    if found.photo:
        strokes = _off_the_border(strokes, mask.shape, found.faint_photo)
    if not strokes:
        return Strokes([], 0.0)
    line_height = _line_height(strokes)
    pen = _pen_width(strokes)
    flat = line_height < FLAT * pen  # a dash or a bar: no line of digits to cut it into
    units: list[Unit] = []
    for index, stroke in enumerate(strokes):
        if stroke.mask.shape[1] > WIDE * line_height and not flat:
            units.extend(_slices(stroke, line_height, index))
        else:
            units.append(stroke)
    if len(units) > MAX_UNITS:
        raise DigitnetError(f"{name}: far too much ink for one number ({len(units)} pieces)")
    return Strokes(sorted(units, key=lambda u: u.centre), line_height, pen)


def _pen_width(strokes: list[Unit]) -> float:
    """The pen's width: the median length of the ink's vertical runs (most columns cross
    strokes, so a run is usually one stroke's thickness)."""
    lengths = []
    for stroke in strokes:
        padded = np.pad(stroke.mask, ((1, 1), (0, 0))).astype(np.int8)
        steps = np.diff(padded, axis=0)  # +1 where a run starts, -1 after it ends
        starts = np.nonzero(steps.T == 1)
        ends = np.nonzero(steps.T == -1)
        lengths.append(ends[1] - starts[1])
    return max(1.0, float(np.median(np.concatenate(lengths))))


def _off_the_border(strokes: list[Unit], shape: tuple[int, int], faint: bool) -> list[Unit]:
    """On a photo of paper, strokes at the picture's border are the page's edges, a shadow's
    or its darker corners, not the number: they are dropped, unless nothing else would be left
    of the writing (a tight crop: the number touches the border, the rest is specks)."""
    inner = [s for s in strokes if not _at_border(s, shape)]
    border = [s for s in strokes if _at_border(s, shape)]
    if faint or not border or not inner:
        return inner if faint or inner else border
    tallest_inner = max(s.mask.shape[0] for s in inner)
    tallest_border = max(s.mask.shape[0] for s in border)
    return inner if tallest_inner >= INNER_SHARE * tallest_border else strokes


def _at_border(stroke: Unit, shape: tuple[int, int]) -> bool:
    """Whether a stroke touches the picture's border, or nearly (a decoder's or a filter's
    dark rim a pixel or two inside it)."""
    near = max(2, round(BORDER * min(shape)))
    return (
        stroke.top <= near
        or stroke.left <= near
        or stroke.bottom >= shape[0] - near
        or stroke.right >= shape[1] - near
    )


def _line_height(strokes: list[Unit]) -> float:
    """A digit's height: the median height of the strokes at least half as tall as the
    tallest (specks and a 5's flag do not count; a line of 1s and 8s does)."""
    heights = np.array([s.mask.shape[0] for s in strokes], dtype=float)
    return float(np.median(heights[heights >= heights.max() / 2]))


def check_one_line(strokes: Strokes, name: str) -> None:
    """Refuse two lines of writing: tall units in bands one above the other, apart by more
    than LINE_GAP of a line's height, that no unit bridges (a slanted number's digits overlap
    their neighbours' rows, so it stays one band)."""
    line_height = strokes.line_height
    tall = [s for s in strokes.units if s.mask.shape[0] >= line_height / 2]
    bands: list[list[Unit]] = []
    bottom = -1
    for stroke in sorted(tall, key=lambda s: s.top):
        if bands and stroke.top < bottom + LINE_GAP * line_height:
            bands[-1].append(stroke)
        else:
            bands.append([stroke])
        bottom = max(bottom, stroke.bottom)
    if len(bands) < 2:
        return
    overlaps_in_x = any(
        a.left < b.right and b.left < a.right
        for i, upper in enumerate(bands)
        for lower in bands[i + 1 :]
        for a in upper
        for b in lower
    )
    if overlaps_in_x:
        raise DigitnetError(
            f"{name}: {len(bands)} lines of writing found; digitnet reads one line of digits "
            "(crop the picture to one line)"
        )


def _slices(stroke: Unit, line_height: float, index: int) -> list[Unit]:
    """A wide stroke cut into slices along its candidate cuts: paths from top to bottom
    through the least ink near their column (cut_path), one from every other column, kept
    where the ink they cross is least around them (within SPACING of a line's height), so
    that touching neighbours, slanted ones too, come apart along the gap between them."""
    mask = stroke.mask
    height, width = mask.shape
    rows = np.arange(height)
    drift = max(1, round(DRIFT * line_height))
    margin = max(1, round(MIN_SLICE * line_height))
    starts = list(range(margin, width - margin, 2))
    paths = [cut_path(mask, c, drift) for c in starts]
    on_ink = [mask[rows, path] for path in paths]
    crossed = np.array([ink.sum() for ink in on_ink], dtype=float)
    crossings = [
        int(np.count_nonzero(np.diff(ink.astype(np.int8), prepend=0) == 1)) for ink in on_ink
    ]
    around = max(1, round(SPACING * line_height / 2))  # in steps of two columns
    every = max(1, round(GRID * line_height / 2))  # in steps of two columns
    chosen = [
        k
        for k in range(len(starts))
        if k % every == every // 2
        or (
            crossed[k] == crossed[max(0, k - around) : k + around + 1].min()
            and (k == 0 or crossed[k - 1] != crossed[k])  # a flat minimum: its first column
        )
    ]
    cols = np.arange(width)[None, :]
    previous = np.zeros(height, dtype=int)
    through, times = 0.0, 0
    units = []
    for k in [*chosen, None]:
        path = np.full(height, width) if k is None else np.maximum(paths[k], previous)
        piece = mask & (cols >= previous[:, None]) & (cols < path[:, None])
        if piece.any():
            used = np.flatnonzero(piece.any(axis=0))
            left, right = used[0], used[-1] + 1
            units.append(
                Unit(
                    piece[:, left:right],
                    stroke.top,
                    stroke.left + left,
                    cut_left=through,
                    crossings=times,
                    stroke=index,
                )
            )
            through, times = (0.0, 0) if k is None else (float(crossed[k]), crossings[k])
        elif k is not None:
            through, times = max(through, float(crossed[k])), max(times, crossings[k])
        previous = path
    return units


def cut_path(mask: np.ndarray, column: int, drift: int) -> np.ndarray:
    """The column, per row (h,), of a path from the top of `mask` to its bottom that crosses
    the least ink, moving at most one column per row and at most `drift` from `column`
    (dynamic programming, row by row; straight where there is no ink)."""
    height, width = mask.shape
    lo, hi = max(0, column - drift), min(width, column + drift + 1)
    band = mask[:, lo:hi].astype(float) + 0.01 * np.abs(np.arange(lo, hi) - column)
    cost = band[0].copy()
    moves = np.zeros((height, hi - lo), dtype=int)
    for row in range(1, height):
        stay, left, right = cost, np.r_[np.inf, cost[:-1]], np.r_[cost[1:], np.inf]
        options = np.stack([left, stay, right])  # from column - 1, the same, column + 1
        choice = options.argmin(axis=0)
        moves[row] = choice - 1
        cost = options[choice, np.arange(hi - lo)] + band[row]
    path = np.empty(height, dtype=int)
    path[-1] = int(cost.argmin())
    for row in range(height - 1, 0, -1):
        path[row - 1] = path[row] + moves[row, path[row]]
    return path + lo
