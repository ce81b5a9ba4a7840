"""Weight initialisation: the distributions' scales from fan-in and fan-out, in the dtype asked."""

import numpy as np
import pytest

from digitnet.errors import DigitnetError
from digitnet.nn.init import fans, glorot_uniform, he_normal, initializer


@pytest.mark.parametrize("init", [he_normal, glorot_uniform])
def test_initialisers_give_float32_by_default_and_the_dtype_asked(init):
    rng = np.random.default_rng(0)
    assert init((3, 4), rng).dtype == np.float32
    assert init((3, 4), rng, "float64").dtype == np.float64
    assert init((2, 3, 5, 5), rng, "float32").shape == (2, 3, 5, 5)


def test_initialisers_draw_from_the_generator_given():
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    np.testing.assert_array_equal(he_normal((4, 5), a), he_normal((4, 5), b))
    limit = np.sqrt(6.0 / (2 + 1))  # fan_in 2, fan_out 1
    expected = np.random.default_rng(7).uniform(-limit, limit, (2, 1))
    np.testing.assert_array_equal(
        glorot_uniform((2, 1), np.random.default_rng(7), "float64"), expected
    )


def test_fans_of_a_vector_are_refused_and_names_are_checked():
    with pytest.raises(ValueError, match=r"no fan-in and fan-out for a parameter of shape \(5,\)"):
        fans((5,))
    assert initializer("he") is he_normal and initializer("glorot") is glorot_uniform
    with pytest.raises(DigitnetError, match="^unknown init 'xavier'; choose one of he, glorot$"):
        initializer("xavier")


def test_fans_of_a_one_dimensional_convolution_kernel():
    assert fans((4, 3, 5)) == (3 * 5, 4 * 5)  # (C_out, C_in, k)
    assert he_normal((4, 3, 5), np.random.default_rng(0)).shape == (4, 3, 5)
