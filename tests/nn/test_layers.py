"""Each layer's backward pass against central finite differences, in float64.

The upstream gradient is random (an all-ones upstream gradient would hide some bugs), so the
scalar checked is L = sum(forward(x) * g).
"""

import numpy as np
import pytest

import digitnet as dn
from digitnet.errors import DigitnetError
from digitnet.nn.activations import LeakyReLU, ReLU, Sigmoid, Tanh
from digitnet.nn.dense import Dense
from digitnet.nn.dropout import Dropout
from digitnet.nn.gradcheck import numerical_gradient, relative_error
from digitnet.nn.layer import Layer
from digitnet.nn.layers import ACTIVATIONS, make_activation


def dense(in_features, out_features, rng, init="he", dtype="float32"):
    """A Dense layer with its parameters built (as Network builds them)."""
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


@pytest.mark.parametrize("layer_class", ACTIVATIONS.values(), ids=list(ACTIVATIONS))
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
    for layer in [dense(4, 4, rng), *(activation() for activation in ACTIVATIONS.values())]:
        out = layer.forward(x, training=True)
        assert out.dtype == np.float32
        grad = layer.backward(np.ones_like(out))
        assert grad.dtype == np.float32


def test_unknown_activation_names_the_value():
    with pytest.raises(DigitnetError, match="'swish'"):
        make_activation("swish")


def test_leaky_relu_at_zero_is_zero_with_the_negative_slope_as_pytorch():
    layer = LeakyReLU(0.25)
    x = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(layer.forward(x, training=True), [[-0.5, 0.0, 3.0]])
    # torch.nn.functional.leaky_relu's gradient at exactly 0 is the slope: x > 0, not x >= 0
    np.testing.assert_array_equal(layer.backward(np.array([[4.0, 4.0, 4.0]])), [[1.0, 1.0, 4.0]])


@pytest.mark.parametrize("layer_class", ACTIVATIONS.values(), ids=list(ACTIVATIONS))
def test_an_evaluation_forward_keeps_nothing_for_backward(layer_class):
    """forward(x) evaluates by default; it drops what a training forward kept (no stale mask)."""
    layer = layer_class()
    x = np.array([[-1.0, 0.5, 2.0]])
    layer.forward(x, training=True)
    layer.forward(x)
    with pytest.raises(AssertionError, match="^backward before a training-mode forward$"):
        layer.backward(np.ones_like(x))


def test_dropout_evaluates_by_default_and_then_passes_its_input_itself():
    layer = Dropout(0.5)
    layer.build(np.random.default_rng(0), "float32")
    x = np.ones((4, 6), dtype=np.float32)
    assert layer.forward(x) is x
    assert layer.forward(x, training=False) is x
    assert layer.backward(None) is None


def test_dropout_masks_come_from_the_generator_in_the_input_dtype():
    layer = Dropout(0.5)
    layer.build(np.random.default_rng(3), "float64")
    x = np.arange(1.0, 9.0).reshape(2, 4)
    draws = np.random.default_rng(3).random((2, 4))
    expected = np.where(draws >= 0.5, x * 2, 0.0)  # kept where the uniform draw is >= rate
    np.testing.assert_array_equal(layer.forward(x, training=True), expected)
    grad = np.full((2, 4), 3.0)
    np.testing.assert_array_equal(layer.backward(grad), np.where(draws >= 0.5, 6.0, 0.0))
    x32 = x.astype(np.float32)
    y = layer.forward(x32, training=True)
    assert y.dtype == np.float32 and layer.backward(grad.astype(np.float32)).dtype == np.float32


def test_dropout_of_rate_zero_draws_nothing_and_trains_as_no_dropout_at_all():
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 6)).astype(np.float32), rng.integers(0, 3, 40)
    with_dropout = dn.Sequential([dn.Dense(6, 5), dn.ReLU(), Dropout(0.0), dn.Dense(5, 3)])
    without = dn.Sequential([dn.Dense(6, 5), dn.ReLU(), dn.Dense(5, 3)])
    for model in (with_dropout, without):
        model.fit(X, y, epochs=3, batch_size=8, optimizer=dn.SGD(lr=0.5), verbose=0)
    np.testing.assert_array_equal(with_dropout.flat_params, without.flat_params)
    assert with_dropout.rng.random() == without.rng.random()  # the same draws were made
    layer = with_dropout.layers[2]
    x = np.ones((2, 5), dtype=np.float32)
    assert layer.forward(x, training=True) is x
    grad = np.ones((2, 5), dtype=np.float32)
    assert layer.backward(grad) is grad


def test_dense_checks_its_sizes_and_its_call_order():
    with pytest.raises(
        DigitnetError, match=r"^dense: in_features must be an integer >= 1, got 0$"
    ):
        Dense(0, 3)
    with pytest.raises(
        DigitnetError, match=r"^dense: out_features must be an integer >= 1, got 2.0$"
    ):
        Dense(3, 2.0)
    layer = dense(3, 2, np.random.default_rng(0))
    assert layer.inplace is False and layer.needs_input_grad is True  # until a network decides
    with pytest.raises(AssertionError, match="^backward before a training-mode forward$"):
        layer.backward(np.ones((1, 2), np.float32))


def test_relu_in_place_overwrites_its_input_and_the_upstream_gradient():
    relu = ReLU()
    relu.inplace = True  # what Network._plan sets after a dense layer, as PyTorch's inplace=True
    x = np.array([[-1.0, 0.0, 2.0]])
    y = relu.forward(x, training=True)
    assert y is x
    np.testing.assert_array_equal(x, [[0.0, 0.0, 2.0]])
    grad = np.array([[5.0, 6.0, 7.0]])
    assert relu.backward(grad) is grad
    np.testing.assert_array_equal(grad, [[0.0, 0.0, 7.0]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dense_builds_its_parameters_and_gradients_in_the_dtype_given(dtype):
    layer = dense(3, 2, np.random.default_rng(0), dtype=dtype)
    arrays = {**layer.params, **{f"d{k}": g for k, g in layer.grads.items()}}
    assert {k: (a.shape, a.dtype) for k, a in arrays.items()} == {
        "W": ((3, 2), dtype), "b": ((2,), dtype), "dW": ((3, 2), dtype), "db": ((2,), dtype)
    }  # fmt: skip
    np.testing.assert_array_equal(layer.params["b"], [0.0, 0.0])


def test_a_dense_training_step_writes_into_the_same_arrays_every_batch():
    """The fast path allocates nothing per batch: z and dL/dx are buffers, overwritten."""
    rng = np.random.default_rng(0)
    layer = dense(3, 2, rng, dtype="float64")
    x1, x2 = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    g1, g2 = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    z1 = layer.forward(x1, training=True)
    dx1 = layer.backward(g1)
    np.testing.assert_allclose(dx1, g1 @ layer.params["W"].T)
    z2 = layer.forward(x2, training=True)
    dx2 = layer.backward(g2)
    assert z2 is z1 and dx2 is dx1
    np.testing.assert_allclose(z2, x2 @ layer.params["W"])
    np.testing.assert_allclose(dx2, g2 @ layer.params["W"].T)
    np.testing.assert_allclose(layer.grads["b"], g2.sum(axis=0))
    layer.forward(x1[:3], training=True)  # a last, smaller batch gets arrays of its own
    assert layer.backward(g1[:3]).shape == (3, 3)
    np.testing.assert_allclose(layer.grads["b"], g1[:3].sum(axis=0))


def test_dropout_before_build_says_so():
    with pytest.raises(AssertionError, match="^dropout used before build$"):
        Dropout(0.5).forward(np.ones((2, 2)), training=True)


def test_dense_evaluation_keeps_nothing_and_returns_a_new_array_each_call():
    layer = dense(2, 1, np.random.default_rng(0), dtype="float64")
    layer.params["W"][...] = [[2.0], [-1.0]]
    first = layer.forward(np.array([[1.0, 3.0]]))
    second = layer.forward(np.array([[2.0, 0.0]]))
    np.testing.assert_array_equal(first, [[-1.0]])  # not overwritten by the second call
    np.testing.assert_array_equal(second, [[4.0]])
    with pytest.raises(AssertionError, match="^backward before a training-mode forward$"):
        layer.backward(np.ones((1, 1)))


@pytest.mark.parametrize("rate", [1, 1.0, 1.5, -0.1, False, True, "0.5", None])
def test_dropout_rate_must_be_a_number_in_0_1(rate):
    with pytest.raises(DigitnetError, match=rf"^dropout rate must be in \[0, 1\), got {rate!r}$"):
        Dropout(rate)


def test_unknown_activation_lists_the_known_ones():
    message = "^unknown activation 'swish'; choose one of relu, leaky_relu, sigmoid, tanh$"
    with pytest.raises(DigitnetError, match=message):
        make_activation("swish")


def test_set_params_gives_each_parameter_a_zero_gradient_of_its_shape_and_dtype():
    layer = Layer()
    W, b = np.ones((3, 2), np.float32), np.arange(2.0)
    layer._set_params(W=W, b=b)
    assert list(layer.params) == list(layer.grads) == ["W", "b"]
    assert layer.params["W"] is W and layer.params["b"] is b
    assert layer.grads["W"].dtype == np.float32 and layer.grads["b"].dtype == np.float64
    np.testing.assert_array_equal(layer.grads["W"], np.zeros((3, 2)))
    np.testing.assert_array_equal(layer.grads["b"], [0.0, 0.0])
