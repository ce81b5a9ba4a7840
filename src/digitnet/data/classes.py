"""Class names: what each label of a dataset (and each output of a model) stands for.

A dataset's names come from a `classes.txt` in its folder (one name per line, label 0 first, or
all on one line separated by commas), for a CSV from a `NAME.classes.txt` beside `NAME.csv`,
from `--classes "T-shirt,Trouser,..."`, or from EMNIST's mapping file (data/emnist.py). Without
names, the labels are digits: "0", "1", ... as many as the largest label needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..atomic import atomic_open
from ..errors import DigitnetError
from ..nn.class_names import check_names

CLASSES_FILE = "classes.txt"
MAX_FILE_BYTES = 64 * 1024


def parse_classes(text: str, where: str = "--classes") -> tuple[str, ...]:
    """Names from a comma-separated list, e.g. "cat,dog" (spaces around each name dropped)."""
    return check_names([name.strip() for name in text.split(",")], where)


def read_classes_file(path: Path) -> tuple[str, ...]:
    """The names in a classes.txt: one per line, label 0 first (blank lines at the end ignored),
    or one comma-separated line as --classes takes them."""
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise DigitnetError(f"{path}: cannot read ({error.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise DigitnetError(f"{path}: over {MAX_FILE_BYTES // 1024} KB: not a list of class names")
    try:
        text = raw.decode("utf-8-sig")  # -sig: a byte-order mark some editors write is dropped
    except UnicodeDecodeError:
        raise DigitnetError(f"{path}: not UTF-8 text") from None
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) == 1 and "," in lines[0]:
        return parse_classes(lines[0], str(path))
    return check_names(lines, str(path))


def folder_classes(folder: Path) -> tuple[str, ...] | None:
    """The names in `folder`/classes.txt, or None if it has none."""
    path = folder / CLASSES_FILE
    return read_classes_file(path) if path.is_file() else None


def csv_names_file(csv: Path) -> Path:
    """Where the names of a CSV's labels are kept: NAME.classes.txt beside NAME.csv."""
    return csv.with_name(f"{csv.stem}.{CLASSES_FILE}")


def csv_classes(csv: Path) -> tuple[str, ...] | None:
    """The names in NAME.classes.txt beside NAME.csv, or None if there is none."""
    path = csv_names_file(csv)
    return read_classes_file(path) if path.is_file() else None


def write_classes_file(path: Path, names: Sequence[str]) -> None:
    """Write `names` to `path`, one per line (atomically: a temporary file, then renamed)."""
    try:
        with atomic_open(path, "w") as file:
            file.write("".join(f"{name}\n" for name in names))
    except OSError as error:
        raise DigitnetError(f"{path}: cannot write ({error.strerror})") from None


def check_labels(labels: Sequence[np.ndarray], names: tuple[str, ...] | None, where: str) -> int:
    """The number of classes: len(names), or the largest label + 1 (at least 1) without names;
    a label without a name is refused."""
    largest = max((int(y.max()) for y in labels if len(y)), default=0)
    if names is None:
        return largest + 1
    if largest >= len(names):
        raise DigitnetError(
            f"{where}: label {largest} has no name: {len(names)} class names are given "
            f"(labels 0-{len(names) - 1})"
        )
    return len(names)


def agreed_names(
    model_names: tuple[str, ...] | None, data_names: tuple[str, ...] | None, model: str, data: str
) -> tuple[str, ...] | None:
    """The names a model's answers on a dataset are shown with: both's when they agree, the one
    that names its classes when the other does not; a DigitnetError when they disagree."""
    if model_names is not None and data_names is not None and model_names != data_names:
        raise DigitnetError(
            f"{model} reads {short_names(model_names)}, but {data} names its classes "
            f"{short_names(data_names)}"
        )
    return model_names if model_names is not None else data_names


def describe_classes(names: tuple[str, ...] | None) -> str:
    """What a set of classes is, in a message: "the digits" (None), or its first names."""
    return "the digits" if names is None else short_names(names)


def short_names(names: tuple[str, ...]) -> str:
    """The first few names and how many there are: "T-shirt, Trouser, Pullover, ... (10)"."""
    shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    return f"{shown} ({len(names)} classes)"
