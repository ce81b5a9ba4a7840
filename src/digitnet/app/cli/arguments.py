"""argparse types (text -> a checked value, or one line saying what was expected), the flags that
several commands share, and the check that an output can be written, made before the work."""

from __future__ import annotations

import argparse
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ... import checks
from ...errors import DigitnetError
from ...training.settings import MAX_SEED

T = TypeVar("T")  # what an argparse type function returns


def number(
    convert: Callable[[str], T], description: str, check: Callable[[T], object]
) -> Callable[[str], T]:
    """An argparse type: `convert` the text, then `check` the value (a check raises, or returns
    False, for a value it refuses)."""

    def parse(text: str) -> T:
        try:
            value = convert(text)
            accepted = check(value) is not False
        except (ValueError, DigitnetError):
            accepted = False
        if not accepted:
            raise argparse.ArgumentTypeError(f"expected {description}, got {text!r}")
        return value

    return parse


positive_int = number(int, "an integer >= 1", lambda v: checks.integer("value", v))
positive_float = number(float, "a finite number > 0", lambda v: checks.positive_number("value", v))
non_negative_float = number(float, "a finite number >= 0", lambda v: 0 <= v < math.inf)
finite_float = number(float, "a finite number", math.isfinite)
momentum = number(float, "a momentum in [0, 1)", lambda v: 0 <= v < 1)
fraction = number(float, "a fraction in [0, 1)", lambda v: 0 <= v < 1)
port = number(int, "a port number 0-65535", lambda v: checks.integer("port", v, 0, 65535))
seed = number(int, "a seed 0 to 2**32-1", lambda v: checks.integer("seed", v, 0, MAX_SEED))


def hidden_sizes(text: str) -> list[int]:
    """--hidden: layer sizes like 128,64."""
    parts = [part.strip() for part in text.split(",")]
    if "" in parts:
        raise argparse.ArgumentTypeError(f"an empty size in {text!r}; write sizes like 128,64")
    try:
        sizes = [int(part) for part in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--hidden must be integers like 128,64, got {text!r}"
        ) from None
    if min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--hidden sizes must be >= 1, got {text!r}")
    return sizes


def add_model(parser: argparse.ArgumentParser) -> None:
    """The MODEL argument: a saved model file."""
    parser.add_argument("model", metavar="MODEL")


def add_threads(parser: argparse.ArgumentParser, work: str) -> None:
    """--threads N: the threads that share `work`."""
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=None,
        help=f"threads for {work} (default: the cores this process may use, at most "
        "OMP_NUM_THREADS or OPENBLAS_NUM_THREADS if you set them)",
    )


def add_data(parser: argparse.ArgumentParser, text: str) -> None:
    """--data PATH: an IDX folder or a CSV file, described by `text`."""
    parser.add_argument("--data", metavar="PATH", default=None, help=text)


def add_classes(parser: argparse.ArgumentParser) -> None:
    """--classes NAMES: the name of each label of --data."""
    parser.add_argument(
        "--classes",
        metavar="NAMES",
        default=None,
        help='the name of each label of --data, comma-separated ("T-shirt,Trouser,..."), '
        "instead of the folder's classes.txt (default: that file, else digits)",
    )


def prepare_folder(folder: Path, target: Path | None = None) -> None:
    """Create `folder` if needed and make sure a file can be written there; an error names
    `target` (the file to be written there) if given, else the folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DigitnetError(f"{folder}: cannot create the folder ({error.strerror})") from None
    _try_writing_in(folder, target or folder)


def check_writable_file(path: Path, flag: str) -> None:
    """`path` (given as `flag`) names a file in an existing folder where a file can be written:
    checked before the work, not after it."""
    if not path.parent.is_dir():
        raise DigitnetError(f"{path.parent}: no such folder for {flag}")
    if path.is_dir():
        raise DigitnetError(f"{path}: is a folder; {flag} needs a file name")
    _try_writing_in(path.parent, path)


def _try_writing_in(folder: Path, name: Path) -> None:
    """Write (and drop) a temporary file in `folder`, as the atomic saves will do."""
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".digitnet-check-"):
            pass
    except OSError as error:
        raise DigitnetError(f"{name}: cannot write there ({error.strerror})") from None
