"""argparse types (text -> a checked value, or one line saying what was expected) and the flags
that several commands share."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TypeVar

from ... import checks
from ...errors import DigitnetError

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
momentum = number(float, "a momentum in [0, 1)", lambda v: 0 <= v < 1)
fraction = number(float, "a fraction in [0, 1)", lambda v: 0 <= v < 1)
port = number(int, "a port number 0-65535", lambda v: checks.integer("port", v, 0, 65535))


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


def add_data(parser: argparse.ArgumentParser, text: str) -> None:
    """--data PATH: an IDX folder or a CSV file, described by `text`."""
    parser.add_argument("--data", metavar="PATH", default=None, help=text)
