"""The names of a network's classes, as a model file keeps them: checked wherever they come
from (a dataset's classes.txt, --classes, a model file, an ONNX graph's metadata)."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import DigitnetError

MAX_CLASSES = 256  # labels are IDX unsigned bytes: 0-255
MAX_NAME = 40  # characters of one name: a label on a plot, a button on the page


def digit_names(n_classes: int) -> tuple[str, ...]:
    """The names of unnamed labels: "0", "1", ..., str(n_classes - 1)."""
    return tuple(str(label) for label in range(n_classes))


def check_names(names: Sequence[object], where: str) -> tuple[str, ...]:
    """`names` as a tuple of strings, if they can name classes: 1 to 256 distinct, non-empty
    names of at most 40 printable characters; else a DigitnetError naming the first bad one."""
    if isinstance(names, str) or not 1 <= len(names) <= MAX_CLASSES:
        raise DigitnetError(f"{where}: class names must be a list of 1 to {MAX_CLASSES} names")
    for i, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            raise DigitnetError(f"{where}: class {i} has no name")
        if name != name.strip() or len(name) > MAX_NAME or not name.isprintable():
            raise DigitnetError(
                f"{where}: class {i}'s name {name[:MAX_NAME]!r} must be at most {MAX_NAME} "
                "printable characters, without spaces at either end"
            )
    repeated = sorted({str(name) for name in names if list(names).count(name) > 1})
    if repeated:
        raise DigitnetError(f"{where}: class name {repeated[0]!r} given twice")
    return tuple(str(name) for name in names)
