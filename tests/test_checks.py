"""The two checks every stage uses (digitnet/checks.py): whole numbers in a range, and positive
finite numbers; each names the setting and the value it refuses."""

import math

import numpy as np
import pytest

from digitnet.checks import integer, positive_number
from digitnet.errors import DigitnetError


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.uint8(200)])
def test_an_integer_in_range_comes_back_as_an_int(value):
    result = integer("epochs", value)
    assert result == value and type(result) is int


@pytest.mark.parametrize(
    "value, least, most, message",
    [
        (0, 1, None, "epochs must be an integer >= 1, got 0"),
        (True, 0, None, "epochs must be an integer >= 0, got True"),
        (2.0, 1, None, "epochs must be an integer >= 1, got 2.0"),
        ("3", 1, None, "epochs must be an integer >= 1, got '3'"),
        (11, 1, 10, "epochs must be at most 10, got 11"),
        (-1, 0, 9, "epochs must be an integer >= 0, got -1"),
    ],
)
def test_an_integer_out_of_range_or_of_another_type_is_named(value, least, most, message):
    with pytest.raises(DigitnetError) as error:
        integer("epochs", value, least, most)
    assert str(error.value) == message


def test_the_bounds_are_inclusive():
    assert integer("port", 0, 0, 65535) == 0 and integer("port", 65535, 0, 65535) == 65535


@pytest.mark.parametrize("value", [1, 0.001, np.float32(0.5), 1e300])
def test_a_positive_finite_number_comes_back_as_a_float(value):
    result = positive_number("lr", value)
    assert result == pytest.approx(float(value)) and type(result) is float


@pytest.mark.parametrize(
    "value, message",
    [
        (0, "lr must be > 0, got 0"),
        (-0.1, "lr must be > 0, got -0.1"),
        (math.inf, "lr must be finite, got inf"),
        (math.nan, "lr must be finite, got nan"),
        (True, "lr must be a number > 0, got True"),
        ("0.1", "lr must be a number > 0, got '0.1'"),
        (None, "lr must be a number > 0, got None"),
    ],
)
def test_a_number_that_is_not_positive_and_finite_is_named(value, message):
    with pytest.raises(DigitnetError) as error:
        positive_number("lr", value)
    assert str(error.value) == message
