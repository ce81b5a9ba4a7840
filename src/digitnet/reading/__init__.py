"""Reading pictures: a digit's answer out of ten probabilities, and a whole number out of a
picture of one line of digits (see docs/numbers.md)."""

from .number import DigitReading, NumberReading, read_number

__all__ = ["DigitReading", "NumberReading", "read_number"]
