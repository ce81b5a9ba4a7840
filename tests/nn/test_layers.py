"""Each layer's backward pass against central finite differences, in float64.

The upstream gradient is random (an all-ones upstream gradient would hide some bugs), so the
scalar checked is L = sum(forward(x) * g).
"""

import numpy as np
import pytest

from digitnet.errors import DigitnetError
from digitnet.nn.activations import LeakyReLU, ReLU, Sigmoid, Tanh
from digitnet.nn.dense import Dense
from digitnet.nn.gradcheck import numerical_gradient, relative_error
from digitnet.nn.layers import make_activation


def dense(in_features, out_features, rng, init="he", dtype="float32"):
    """A Dense layer with its parameters built (as Sequential builds them)."""
    layer = Dense(in_features, out_features, init)
    layer.build(rng, dtype)
    return layer


def check_layer(layer, x, rng):
    """Return the relative errors of dL/dx and of each parameter gradient."""
    upstream = rng.standard_normal(layer.forward(x).shape)
    layer.forward(x, training=True)
    dx = layer.backward(upstream)
    analytic = {"x": dx, **{k: g.copy() for k, g in layer.grads.items()}}
    loss = lambda: float(np.sum(layer.forward(x) * upstream))  # noqa: E731
    targets = {"x": x, **layer.params}
    return {k: relative_error(analytic[k], numerical_gradient(loss, targets[k])) for k in targets}


@pytest.mark.parametrize("layer_class", [ReLU, LeakyReLU, Sigmoid, Tanh])
def test_activation_backward_matches_finite_differences(layer_class):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 7)) * 2
    errors = check_layer(layer_class(), x, rng)
    assert errors["x"] < 1e-6, errors


def test_dense_backward_matches_finite_differences():
    rng = np.random.default_rng(1)
    layer = dense(6, 4, rng, init="glorot", dtype="float64")
    layer.params["b"][...] = rng.standard_normal(4)
    errors = check_layer(layer, rng.standard_normal((5, 6)), rng)
    assert max(errors.values()) < 1e-6, errors
    assert set(errors) == {"x", "W", "b"}


def test_dense_hand_computed_forward_and_backward():
    layer = dense(2, 1, np.random.default_rng(0), dtype="float64")
    layer.params["W"][...] = [[2.0], [-1.0]]
    layer.params["b"][...] = [0.5]
    x = np.array([[1.0, 3.0], [2.0, 0.0]])
    np.testing.assert_allclose(layer.forward(x, training=True), [[-0.5], [4.5]])
    dx = layer.backward(np.array([[1.0], [2.0]]))
    np.testing.assert_allclose(layer.grads["W"], [[1 + 4], [3 + 0]])  # x^T g
    np.testing.assert_allclose(layer.grads["b"], [3.0])
    np.testing.assert_allclose(dx, [[2.0, -1.0], [4.0, -2.0]])  # g W^T


def test_relu_values_and_mask():
    relu = ReLU()
    x = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(relu.forward(x, training=True), [[0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(relu.backward(np.array([[5.0, 5.0, 5.0]])), [[0.0, 0.0, 5.0]])
    np.testing.assert_array_equal(x, [[-1.0, 0.0, 2.0]])  # the input is left untouched


def test_sigmoid_and_tanh_do_not_overflow_on_huge_inputs():
    x = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = Sigmoid().forward(x)
        t = Tanh().forward(x)
    np.testing.assert_allclose(y, [[0.0, 0.0, 0.5, 1.0, 1.0]], atol=1e-7)
    np.testing.assert_allclose(t, [[-1.0, -1.0, 0.0, 1.0, 1.0]])
    assert y.dtype == np.float32


def test_layers_keep_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    for layer in [dense(4, 4, rng), ReLU(), LeakyReLU(), Sigmoid(), Tanh()]:
        out = layer.forward(x, training=True)
        assert out.dtype == np.float32
        grad = layer.backward(np.ones_like(out))
        assert grad.dtype == np.float32


def test_unknown_activation_names_the_value():
    with pytest.raises(DigitnetError, match="'swish'"):
        make_activation("swish")
