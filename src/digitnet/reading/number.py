"""Read a whole number: which groups of ink are its digits, chosen by the network itself.

segment.find_units gives the ink as units from left to right: whole strokes, and slices of the
strokes wide enough to be touching digits. A digit is a run of consecutive units. Every
plausible run is normalised as MNIST was (preprocess.mnist_field) and read by the network, and
each way of cutting the line into runs is scored by

    sum over its digits of  log p(the digit's best class) - its shape's cost

where the cost says what a digit does not look like: wider than tall, much shorter than the
line, gaps inside it, a cut through thick ink, a field unlike the training images of the digit
read (typical.atypical: the network is sure of two touching digits as of one). A small
dynamic programme over the units finds the best way (specks may be left out: a dot or a stain
is not a digit). This is the idea of LeCun et al.'s 1998 cheque reader (segmentation and
recognition in one search), without the trained graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DigitnetError
from .answers import UNSURE_BELOW, read_probabilities
from .picture import Picture, from_array, from_file
from .segment import SPECK, Strokes, Unit, check_one_line, find_units
from .typical import atypical

if TYPE_CHECKING:
    from ..nn.network import Network

MAX_DIGITS = 20  # longer lines are not a number (text, a ruler)
MAX_RUN = 12  # units in one digit at most
MAX_WIDTH = 2.0  # a digit is at most this many line heights wide (a sprawling 5 or 7)
# The shape of MNIST's digits, from the training set's ink boxes (benchmarks/digit_shapes.py):
# per digit the mean and the standard deviation of log(width / height). A run whose shape is far
# from its digit's is probably not that digit (two touching digits read as one, a piece of one).
ASPECT_MEAN = np.log([0.90, 0.39, 0.93, 0.79, 0.79, 0.93, 0.72, 0.77, 0.76, 0.67])
ASPECT_SPREAD = np.array([0.20, 0.46, 0.22, 0.21, 0.21, 0.26, 0.22, 0.21, 0.22, 0.21])
ASPECT_COST = 1.0  # per standard deviation beyond the first
SHORT_COST = 10.0  # per line height under SHORT: a flag or a dot read alone is not a digit
SHORT = 0.75
GAP_COST = 4.0  # per line height of empty columns inside a digit
CUT_COST = 1.0  # per pen width of ink a cut goes through, beyond the first
SPLIT_COST = 0.0  # each cut through a connected stroke, beyond what it crosses
CROSS_COST = 0.75  # per stroke a cut goes through beyond the first: touching digits meet once
WHOLE_BONUS = 1.0  # for a cut stroke read whole as a digit the network is sure of, of usual shape
SURE_WHOLE = 0.9
OVERLAP_COST = 5.0  # per share of the narrower of two strokes over each other, read apart
UNLIKE_COST = 3.0  # per unit by which a run is unlike its digit's training images
ONE_DIGIT = 1.5  # one stroke alone at most this wide for its height is one digit (MNIST's widest)
SMALL_WRITING = 40  # a line under this many pixels tall in the reduced picture is cut out
TARGET_HEIGHT = 64  # of the original, at about this many pixels per line height
NOT_DIGITS = 0.4  # the geometric mean confidence below which several marks are not digits


@dataclass
class DigitReading:
    """One digit of a number: the digit, how sure, its ten probabilities, its box in the
    picture (x, y, width, height in the picture's pixels), and the 28x28 input it became."""

    digit: int
    confidence: float
    sure: bool
    probabilities: list[float]
    box: tuple[int, int, int, int]
    field: np.ndarray = field(repr=False)


@dataclass
class NumberReading:
    """A number read from a picture: its digits as text ("2026") and each digit's reading."""

    text: str
    digits: list[DigitReading]

    @property
    def sure(self) -> bool:
        """Whether every digit is sure."""
        return all(d.sure for d in self.digits)

    def to_dict(self) -> dict:
        """As `digitnet predict --json` gives it (without the 28x28 inputs)."""
        return {
            "number": self.text,
            "sure": self.sure,
            "digits": [
                {k: v for k, v in vars(d).items() if k != "field"} | {"box": list(d.box)}
                for d in self.digits
            ],
        }


def read_number(
    model: Network, picture: np.ndarray | Picture | str | Path, name: str = "image"
) -> NumberReading:
    """Read the number in a picture (an image file, or an array (H, W) or (H, W, 3) in [0, 1],
    either polarity) with a network of 28x28 images and ten digits. A picture of one digit
    reads as preprocess.to_mnist and the network read it alone."""
    if model.n_inputs != 784 or model.n_classes != 10:
        raise DigitnetError(f"{name}: reading numbers needs a model of 28x28 images and 10 digits")
    if isinstance(picture, (str, Path)):
        picture = from_file(picture)
    elif not isinstance(picture, Picture):
        picture = from_array(picture)
    return _read(model, picture, name, (0, 0), allow_crop=True)


def _read(
    model: Network, picture: Picture, name: str, offset: tuple[int, int], allow_crop: bool
) -> NumberReading:
    from ..data.ink import ink_map, reduce_picture, stretch
    from ..data.preprocess import check_picture, no_ink

    pixels = check_picture(picture.pixels, name)
    work = reduce_picture(np.clip(pixels, 0.0, 1.0))
    found = ink_map(work, edges="nearest")  # a phone's corners are darker: not ink
    strokes = find_units(found, name) if found.top > 0 else Strokes([], 0.0)
    if not strokes.units:
        raise no_ink(name)
    scale = picture.size[1] / work.shape[1]  # original pixels per working pixel
    if allow_crop and strokes.line_height < SMALL_WRITING and scale > 1.2:
        return _read_region(model, picture, name, strokes, scale)
    check_one_line(strokes, name)
    everything = _paint(strokes.units, work.shape[:2])
    soft = stretch(found.ink, everything, found.threshold)
    runs, fields = _candidates(strokes, soft, everything)
    candidates = np.stack(fields).reshape(len(fields), -1) if fields else None
    probs = model.predict_proba(candidates) if candidates is not None else None
    unlike = atypical(candidates) if candidates is not None else None
    best = _best_cutting(strokes, runs, probs, unlike)
    chosen = _one_stroke_one_digit(best, runs, probs, strokes.units)
    if not chosen:
        raise no_ink(name)
    if len(chosen) > MAX_DIGITS:
        raise DigitnetError(
            f"{name}: {len(chosen)} marks found, more than a number of {MAX_DIGITS} digits "
            "(text? a drawing?)"
        )
    assert probs is not None  # something was chosen: there were candidates
    read = [(fields[i], probs[i]) for i, _ in chosen]
    if len(chosen) == 1:  # one digit: exactly as it has always been read
        from ..data.preprocess import to_mnist

        field = to_mnist(picture.pixels, name)
        read = [(field, model.predict_proba(field.reshape(1, -1))[0])]
    digits = [_digit(p, f, _box(runs[i], scale, offset)) for (i, _), (f, p) in zip(chosen, read)]
    confidence = float(np.exp(np.mean(np.log([d.confidence for d in digits]))))
    if len(digits) > 1 and confidence < NOT_DIGITS:
        raise DigitnetError(
            f"{name}: this does not look like digits (the {len(digits)} marks found read at "
            f"{confidence:.0%} confidence on average)"
        )
    return NumberReading("".join(str(d.digit) for d in digits), digits)


def _read_region(
    model: Network, picture: Picture, name: str, strokes: Strokes, scale: float
) -> NumberReading:
    """Small writing on a large picture: the line's box, with a margin of a line's height,
    cut from the original at about TARGET_HEIGHT pixels per line, and read there."""
    units = strokes.units
    margin = strokes.line_height
    top = max(0, round((min(u.top for u in units) - margin) * scale))
    left = max(0, round((min(u.left for u in units) - margin) * scale))
    bottom = min(picture.size[0], round((max(u.bottom for u in units) + margin) * scale))
    right = min(picture.size[1], round((max(u.right for u in units) + margin) * scale))
    factor = min(1.0, TARGET_HEIGHT / (strokes.line_height * scale))
    crop = picture.region((top, left, bottom, right), factor)
    region = from_array(crop)
    region.size = (bottom - top, right - left)  # the crop's pixels stand for the original's
    return _read(model, region, name, (top, left), allow_crop=False)


def _paint(units: list[Unit], shape: tuple[int, ...]) -> np.ndarray:
    """Every unit's ink in one mask of the picture's shape."""
    mask = np.zeros(shape, dtype=bool)
    for u in units:
        mask[u.top : u.bottom, u.left : u.right] |= u.mask
    return mask


@dataclass
class Run:
    """Units first..last-1 read as one digit: their ink box and what their shape costs."""

    first: int
    last: int
    box: tuple[int, int, int, int]  # top, left, bottom, right in working pixels
    cost: float
    whole: bool = False  # exactly the slices of one stroke: the stroke read uncut


def _candidates(
    strokes: Strokes, soft: np.ndarray, everything: np.ndarray
) -> tuple[list[Run], list[np.ndarray]]:
    """Every plausible run of consecutive units, with its 28x28 field."""
    units, height = strokes.units, strokes.line_height
    runs, fields = [], []
    for first in range(len(units)):
        for last in range(first + 1, min(len(units), first + MAX_RUN) + 1):
            group = units[first:last]
            left, right = min(u.left for u in group), max(u.right for u in group)
            if right - left > MAX_WIDTH * height and last - first > 1:  # a unit alone: always
                break
            made = _field(group, soft, everything, height)
            if made is None:
                continue
            digit_field, box = made
            cost = _shape_cost(group, box, height, strokes.pen)
            if first:
                cost += _apart_cost(units[first - 1], units[first])
            runs.append(Run(first, last, box, cost, _whole_stroke(units, first, last)))
            fields.append(digit_field)
    return runs, fields


def _field(
    group: list[Unit], soft: np.ndarray, everything: np.ndarray, height: float
) -> tuple[np.ndarray, tuple[int, int, int, int]] | None:
    """A run's 28x28 field (its soft ink, with no other unit's, as MNIST had it) and box."""
    from scipy import ndimage

    from ..data.ink import EDGE
    from ..data.preprocess import INK, mnist_field

    reach = max(2, round(EDGE * height))
    top = max(0, min(u.top for u in group) - reach)
    left = max(0, min(u.left for u in group) - reach)
    bottom = min(soft.shape[0], max(u.bottom for u in group) + reach)
    right = min(soft.shape[1], max(u.right for u in group) + reach)
    mine = np.zeros((bottom - top, right - left), dtype=bool)
    for u in group:
        mine[u.top - top : u.bottom - top, u.left - left : u.right - left] |= u.mask
    others = everything[top:bottom, left:right] & ~mine
    near = ndimage.maximum_filter(mine, size=2 * reach + 1) & ~others
    if any(u.stroke >= 0 for u in group):  # a cut: no soft edge across it
        inner_left = min(u.left for u in group) - left
        inner_right = max(u.right for u in group) - left
        near[:, :inner_left] = False
        near[:, inner_right:] = False
    ink = np.where(near, soft[top:bottom, left:right], 0.0)
    rows, cols = np.nonzero(ink > INK)
    if not len(rows):
        return None
    box = (top + rows.min(), left + cols.min(), top + rows.max() + 1, left + cols.max() + 1)
    return mnist_field(ink), box


def _shape_cost(
    group: list[Unit], box: tuple[int, int, int, int], height: float, pen: float
) -> float:
    """What a run's shape costs whatever digit it is: shorter than the line, empty columns
    inside it, a cut through more than a pen's width of ink at its left edge."""
    top, left, bottom, right = box
    covered = np.zeros(right - left, dtype=bool)
    for u in group:
        covered[max(0, u.left - left) : max(0, u.right - left)] = True
    gap = (~covered).sum() / height
    return (
        SHORT_COST * max(0.0, SHORT - (bottom - top) / height)
        + GAP_COST * gap
        + (_cut_cost(group[0], pen) if group[0].cut_left else 0.0)
    )


def _whole_stroke(units: list[Unit], first: int, last: int) -> bool:
    """Whether units first..last-1 are all the slices of one stroke, and only those."""
    stroke = units[first].stroke
    if stroke < 0 or any(u.stroke != stroke for u in units[first:last]):
        return False
    return sum(u.stroke == stroke for u in units) == last - first


def _cut_cost(unit: Unit, pen: float) -> float:
    """What the cut at a unit's left costs: any cut, each stroke it goes through beyond the
    first (where two digits touch, one stroke meets another; a cut through a 0 goes through
    two), and its ink beyond a pen's width."""
    return (
        SPLIT_COST
        + CROSS_COST * max(0, unit.crossings - 1)
        + CUT_COST * max(0.0, unit.cut_left / pen - 1)
    )


def _apart_cost(before: Unit, after: Unit) -> float:
    """What reading two neighbouring strokes as different digits costs: the more one is over
    the other, the likelier they are pieces of one digit (a 4 or a 5 in two strokes)."""
    if after.stroke >= 0 and after.stroke == before.stroke:
        return 0.0  # slices of one stroke: the cut's own cost says it
    over = min(before.right, after.right) - max(before.left, after.left)
    narrower = min(before.mask.shape[1], after.mask.shape[1])
    return OVERLAP_COST * max(0.0, over) / narrower


def _aspect_cost(box: tuple[int, int, int, int]) -> np.ndarray:
    """What a run's width for its height costs, as each of the ten digits (10,). A 1 may be
    as thin as the pen: only a wide one costs."""
    top, left, bottom, right = box
    signed = (np.log((right - left) / (bottom - top)) - ASPECT_MEAN) / ASPECT_SPREAD
    distance = np.abs(signed)
    distance[1] = max(0.0, signed[1])
    return ASPECT_COST * np.maximum(0.0, distance - 1)


def _best_cutting(
    strokes: Strokes, runs: list[Run], probs: np.ndarray | None, unlike: np.ndarray | None
) -> list[tuple[int, Run]]:
    """The best way to cut the units into digits (dynamic programming over the units): the
    chosen runs, as (index in runs, run), from left to right. `unlike` (runs, 10) is how far
    each run's field is from each digit's training images (typical.atypical)."""
    units, height = strokes.units, strokes.line_height
    n = len(units)
    best = np.full(n + 1, -np.inf)
    best[0] = 0.0
    back: list[tuple[int, int] | None] = [None] * (n + 1)  # (previous position, run or -1)
    ending: dict[int, list[int]] = {}
    for index, run in enumerate(runs):
        ending.setdefault(run.last, []).append(index)
    for last in range(1, n + 1):
        unit = units[last - 1]
        if unit.stroke < 0 and max(unit.mask.shape) < SPECK * height:  # a speck: left out
            best[last], back[last] = best[last - 1], (last - 1, -1)
        for index in ending.get(last, []):
            run = runs[index]
            assert probs is not None and unlike is not None
            aspect = _aspect_cost(run.box)
            unusual = UNLIKE_COST * np.maximum(0.0, unlike[index])
            reading = np.log(np.maximum(probs[index], 1e-12)) - aspect - unusual
            digit = int(reading.argmax())
            score = best[run.first] + float(reading[digit]) - run.cost
            if run.whole and probs[index][digit] >= SURE_WHOLE and aspect[digit] == 0:
                score += WHOLE_BONUS  # a stroke read whole as a sure digit of a usual shape
            if score > best[last]:
                best[last], back[last] = score, (run.first, index)
    chosen = []
    position = n
    while position > 0 and back[position] is not None:
        previous, index = back[position]  # type: ignore[misc]
        if index >= 0:
            chosen.append((index, runs[index]))
        position = previous
    return chosen[::-1]


def _one_stroke_one_digit(
    chosen: list[tuple[int, Run]], runs: list[Run], probs: np.ndarray | None, units: list[Unit]
) -> list[tuple[int, Run]]:
    """A picture whose only stroke was cut into several digits reads as one digit instead if
    the stroke is no wider than ONE_DIGIT times its height, or the network is sure of it whole:
    a wide 4 or 7 in one stroke is more often one digit than two touching ones, and a picture
    of one digit reads as it always has."""
    if len(chosen) < 2 or probs is None:
        return chosen
    first, last = chosen[0][1].first, chosen[-1][1].last
    if units[first].stroke < 0 or any(u.stroke != units[first].stroke for u in units[first:last]):
        return chosen  # several strokes
    for index, run in enumerate(runs):
        if (run.first, run.last) == (first, last):
            top, left, bottom, right = run.box
            narrow = right - left <= ONE_DIGIT * (bottom - top)
            if narrow or probs[index].max() >= UNSURE_BELOW:
                return [(index, run)]
    return chosen


def _box(run: Run, scale: float, offset: tuple[int, int]) -> tuple[int, int, int, int]:
    """A run's box as (x, y, width, height) in the original picture's pixels."""
    top, left, bottom, right = run.box
    x, y = offset[1] + round(left * scale), offset[0] + round(top * scale)
    return (x, y, round((right - left) * scale), round((bottom - top) * scale))


def _digit(
    probs: np.ndarray, digit_field: np.ndarray, box: tuple[int, int, int, int]
) -> DigitReading:
    """A digit's reading from its probabilities (answers.read_probabilities) and its box."""
    read = read_probabilities(probs)
    return DigitReading(**read, box=box, field=digit_field)
