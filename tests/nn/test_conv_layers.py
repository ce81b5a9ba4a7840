"""The convolutional layers: against the plain loop reference (reference_conv.py), against central
differences in float64, and their shapes, settings and errors."""

import numpy as np
import pytest

import digitnet as dn
from digitnet.nn import reference_conv as ref
from digitnet.nn.batchnorm import BatchNorm
from digitnet.nn.conv import Conv2D, col2im, im2col
from digitnet.nn.flatten import Flatten
from digitnet.nn.gradcheck import check_model, numerical_gradient, relative_error
from digitnet.nn.network import Network
from digitnet.nn.pooling import GlobalAvgPool, MaxPool2D

FLOAT64 = {"rtol": 1e-10, "atol": 1e-12}


def run_layer(layer, x, upstream, seed=0):
    """(output, dL/dx) of one training-mode forward and backward, copied out of the buffers."""
    layer.build(np.random.default_rng(seed), "float64")
    y = layer.forward(x, training=True).copy()
    dx = layer.backward(upstream)
    return y, None if dx is None else dx.copy()


CONVS = [  # (C_in, C_out, k, stride, padding, H, W)
    (1, 3, 5, 1, 2, 8, 8),
    (2, 4, 3, 1, 0, 7, 6),
    (3, 2, 3, 2, 1, 9, 9),
    (2, 3, 4, 3, 2, 10, 7),
    (1, 1, 1, 1, 0, 3, 3),
]


@pytest.mark.parametrize("batch_last", [False, True])
@pytest.mark.parametrize("C_in, C_out, k, stride, padding, H, W", CONVS)
def test_conv2d_matches_loop_reference(C_in, C_out, k, stride, padding, H, W, batch_last):
    """Both layouts of the patch matrix (images first, batch last) against the loops."""
    rng = np.random.default_rng(1)
    layer = Conv2D(C_in, C_out, k, stride, padding)
    assert layer.batch_last == (C_in > 1)  # the layout chosen by default
    layer.batch_last = batch_last
    layer.build(rng, "float64")
    layer.params["b"][...] = rng.standard_normal(C_out)
    x = rng.standard_normal((3, C_in, H, W))
    out_shape = (3, *layer.output_shape((C_in, H, W)))
    upstream = rng.standard_normal(out_shape)
    z = layer.forward(x, training=True).copy()
    dx = layer.backward(upstream)
    Wt, b = layer.params["W"], layer.params["b"]
    np.testing.assert_allclose(z, ref.conv2d(x, Wt, b, stride, padding), **FLOAT64)
    ref_dx, ref_dW, ref_db = ref.conv2d_backward(x, Wt, upstream, stride, padding)
    np.testing.assert_allclose(dx, ref_dx, **FLOAT64)
    np.testing.assert_allclose(layer.grads["W"], ref_dW, **FLOAT64)
    np.testing.assert_allclose(layer.grads["b"], ref_db, **FLOAT64)
    # inference (fresh arrays every call) gives the same output as training (reused buffers)
    np.testing.assert_allclose(layer.forward(x), z, **FLOAT64)


def test_im2col_draws_the_patches_as_columns():
    """The docstring's example: a 3x3 image, 2x2 kernel: each column is one patch."""
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)  # (C, H, W, N): a..i = 1..9
    cols = im2col(x, 2, 1, np.empty((4, 4)))
    expected = [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]
    np.testing.assert_array_equal(cols, expected)


def test_col2im_is_the_adjoint_of_im2col():
    """<im2col(x), c> = <x, col2im(c)> for every x and c: the definition of the transpose."""
    rng = np.random.default_rng(0)
    batch_last = rng.standard_normal((3, 7, 8, 2))  # (C, H, W, N)
    images_first = batch_last.transpose(3, 0, 1, 2).copy()  # (N, C, H, W)
    for k, s in [(3, 1), (2, 2), (3, 2)]:
        L = ((7 - k) // s + 1) * ((8 - k) // s + 1)
        for x, shape in [(batch_last, (3 * k * k, L * 2)), (images_first, (2, 3 * k * k, L))]:
            cols = im2col(x, k, s, np.empty(shape))
            c = rng.standard_normal(cols.shape)
            back = col2im(c, x.shape, k, s, np.empty(x.shape))
            assert np.isclose(np.sum(cols * c), np.sum(x * back), rtol=1e-12)


POOLS = [(2, 2, 8, 8), (3, 3, 9, 6), (2, 2, 7, 7), (3, 2, 7, 8), (2, 1, 5, 5)]


@pytest.mark.parametrize("k, stride, H, W", POOLS)
def test_maxpool_matches_loop_reference(k, stride, H, W):
    """Tiling windows (the reshape fast path) and overlapping or partial ones (general)."""
    rng = np.random.default_rng(2)
    layer = MaxPool2D(k, stride)
    x = rng.standard_normal((2, 3, H, W))
    upstream = rng.standard_normal((2, 3, *layer.output_shape((3, H, W))[1:]))
    y, dx = run_layer(layer, x, upstream)
    np.testing.assert_array_equal(y, ref.maxpool2d(x, k, stride))
    np.testing.assert_allclose(dx, ref.maxpool2d_backward(x, upstream, k, stride), **FLOAT64)
    assert layer.tiles(x.shape) == (k == stride and H % k == 0 and W % k == 0)


@pytest.mark.parametrize("k, stride", [(2, 2), (3, 2)])
def test_maxpool_sends_a_tied_window_gradient_to_the_first_maximum_only(k, stride):
    """After a ReLU, windows of zeros are common: the gradient must not be counted twice."""
    x = np.zeros((1, 1, 6, 6))
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = 5.0  # two equal maxima in the first window
    layer = MaxPool2D(k, stride)
    upstream = np.ones((1, 1, *layer.output_shape((1, 6, 6))[1:]))
    _, dx = run_layer(layer, x, upstream)
    np.testing.assert_allclose(dx, ref.maxpool2d_backward(x, upstream, k, stride))
    assert dx.sum() == upstream.sum()


def test_maxpool_fast_path_agrees_with_general_path():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 2, 8, 8))
    upstream = rng.standard_normal((4, 2, 4, 4))
    fast = MaxPool2D(2)
    general = MaxPool2D(2)
    general.tiles = lambda shape: False  # force the sliding-window path
    y_fast, dx_fast = run_layer(fast, x, upstream)
    y_general, dx_general = run_layer(general, x, upstream)
    np.testing.assert_array_equal(y_fast, y_general)
    np.testing.assert_array_equal(dx_fast, dx_general)


@pytest.mark.parametrize("shape", [(16, 3), (5, 3, 4, 4)])
def test_batchnorm_matches_loop_reference(shape):
    rng = np.random.default_rng(4)
    layer = BatchNorm(3)
    layer.build(rng, "float64")
    layer.params["gamma"][...] = rng.uniform(0.5, 2, 3)
    layer.params["beta"][...] = rng.standard_normal(3)
    x, upstream = rng.standard_normal(shape) * 3 + 1, rng.standard_normal(shape)
    y = layer.forward(x, training=True).copy()
    dx = layer.backward(upstream)
    gamma, beta = layer.params["gamma"], layer.params["beta"]
    np.testing.assert_allclose(y, ref.batchnorm(x, gamma, beta), **FLOAT64)
    ref_dx, ref_dgamma, ref_dbeta = ref.batchnorm_backward(x, gamma, upstream)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.grads["gamma"], ref_dgamma, **FLOAT64)
    np.testing.assert_allclose(layer.grads["beta"], ref_dbeta, **FLOAT64)


def test_batchnorm_running_statistics_follow_pytorch():
    """running = 0.9 running + 0.1 batch statistic, the variance unbiased; evaluation uses them."""
    rng = np.random.default_rng(5)
    layer = BatchNorm(2)
    layer.build(rng, "float64")
    x = rng.standard_normal((6, 2, 3, 3)) * 2 + 3
    layer.forward(x, training=True)
    mean = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3), ddof=1)
    np.testing.assert_allclose(layer.state["running_mean"], 0.1 * mean, rtol=1e-12)
    np.testing.assert_allclose(layer.state["running_var"], 0.9 + 0.1 * var, rtol=1e-12)
    expected = (x - (0.1 * mean)[:, None, None]) / np.sqrt(0.9 + 0.1 * var + 1e-5)[:, None, None]
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12)


def test_global_avgpool_and_flatten_match_reference():
    rng = np.random.default_rng(6)
    x, upstream = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3))
    y, dx = run_layer(GlobalAvgPool(), x, upstream)
    np.testing.assert_allclose(y, ref.global_avgpool(x), **FLOAT64)
    np.testing.assert_allclose(dx, ref.global_avgpool_backward(x, upstream), **FLOAT64)
    flat_up = rng.standard_normal((2, 60))
    y, dx = run_layer(Flatten(), x, flat_up)
    np.testing.assert_array_equal(y, x.reshape(2, 60))  # C, H, W order, as torch.flatten
    np.testing.assert_array_equal(dx, flat_up.reshape(x.shape))


def small_cnn(batchnorm: bool) -> Network:
    """A whole small CNN in float64: conv, (batch norm,) relu, pool, strided conv, overlapping
    pool, flatten, dense, (batch norm,) tanh, dense."""
    norm = [BatchNorm(3)] if batchnorm else []
    layers = [
        Conv2D(2, 3, 3, padding=1), *norm, dn.ReLU(), MaxPool2D(2),
        Conv2D(3, 4, 3, stride=2, padding=1), dn.LeakyReLU(), MaxPool2D(2, stride=1),
        Flatten(), dn.Dense(4, 5), *([BatchNorm(5)] if batchnorm else []), dn.Tanh(),
        dn.Dense(5, 3),
    ]  # fmt: skip
    return Network(layers, input_shape=(2, 6, 6), seed=0, dtype="float64")


@pytest.mark.parametrize("batchnorm", [False, True])
def test_whole_cnn_passes_gradient_check(batchnorm):
    rng = np.random.default_rng(7)
    net = small_cnn(batchnorm)
    for p in net.parameters().values():
        p[...] += rng.standard_normal(p.shape) * 0.1  # non-zero biases, gamma != 1
    errors = check_model(net, rng.standard_normal((4, 2, 6, 6)), rng.integers(0, 3, 4))
    if batchnorm:  # a bias just before batch norm has no effect at all: its gradient is 0
        for name in ("0.b", "8.b"):
            assert abs(net.gradients()[name]).max() < 1e-12
            errors.pop(name)
    assert max(errors.values()) < 1e-6, errors


def test_global_avgpool_network_passes_gradient_check():
    rng = np.random.default_rng(8)
    net = Network(
        [Conv2D(1, 3, 3), dn.ReLU(), GlobalAvgPool(), dn.Dense(3, 2)],
        input_shape=(1, 5, 5),
        dtype="float64",
    )
    for p in net.parameters().values():
        p[...] += rng.standard_normal(p.shape) * 0.1
    errors = check_model(net, rng.standard_normal((3, 1, 5, 5)), rng.integers(0, 2, 3))
    assert max(errors.values()) < 1e-6, errors


def test_conv_input_gradient_passes_gradient_check():
    """dL/dx of a strided, padded convolution, against central differences."""
    rng = np.random.default_rng(9)
    layer = Conv2D(2, 3, 3, stride=2, padding=1)
    layer.build(rng, "float64")
    x = rng.standard_normal((2, 2, 5, 5))
    upstream = rng.standard_normal((2, 3, 3, 3))
    layer.forward(x, training=True)
    dx = layer.backward(upstream).copy()
    numeric = numerical_gradient(lambda: float(np.sum(layer.forward(x) * upstream)), x)
    assert relative_error(dx, numeric) < 1e-8


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Conv2D(0, 3, 3), "in_channels must be an integer >= 1, got 0"),
        (lambda: Conv2D(1, 3, 3, padding=-1), "padding must be an integer >= 0, got -1"),
        (lambda: Conv2D(1, 3, 2.5), "kernel_size must be an integer >= 1, got 2.5"),
        (lambda: MaxPool2D(0), "kernel_size must be an integer >= 1, got 0"),
        (lambda: BatchNorm(3, momentum=2), "momentum in [0, 1]"),
    ],
)
def test_bad_settings_name_the_value(make, message):
    with pytest.raises(dn.DigitnetError, match=message.replace("[", r"\[").replace("]", r"\]")):
        make()


@pytest.mark.parametrize(
    "layer, shape, message",
    [
        (Conv2D(1, 4, 3), (784,), r"needs images \(1, H, W\), got input of shape \(784,\)"),
        (Conv2D(3, 4, 3), (1, 28, 28), r"3 input channels"),
        (Conv2D(1, 4, 7), (1, 5, 5), "larger than its input 5x5"),
        (MaxPool2D(3), (2, 2, 2), "larger than its input 2x2"),
        (BatchNorm(4), (3, 5, 5), r"got \(3, 5, 5\)"),
        (GlobalAvgPool(), (10,), r"needs images"),
    ],
)
def test_shapes_that_do_not_fit_are_refused(layer, shape, message):
    with pytest.raises(dn.DigitnetError, match=message):
        layer.output_shape(shape)


def test_output_shapes_follow_pytorch_formula():
    assert Conv2D(1, 16, 5, padding=2).output_shape((1, 28, 28)) == (16, 28, 28)
    assert Conv2D(16, 32, 3, stride=2).output_shape((16, 28, 28)) == (32, 13, 13)
    assert MaxPool2D(2).output_shape((32, 13, 13)) == (32, 6, 6)
    assert MaxPool2D(3, 2).output_shape((8, 7, 7)) == (8, 3, 3)
    assert Flatten().output_shape((32, 7, 7)) == (1568,)


def test_maxpool_with_a_large_window():
    """289 offsets: the index of the maximum does not fit in a byte."""
    x = np.zeros((1, 1, 17, 17))
    x[0, 0, 16, 16] = 1.0
    y, dx = run_layer(MaxPool2D(17), x, np.ones((1, 1, 1, 1)))
    assert y.item() == 1.0 and dx[0, 0, 16, 16] == 1.0 and dx.sum() == 1.0


def test_batchnorm_refuses_to_train_on_one_value_per_channel():
    """A batch of one feature vector has variance 0: refused, as PyTorch does, instead of
    training on x_hat = 0 with zero gradients (and pulling running_var toward 0)."""
    layer = BatchNorm(3)
    layer.build(np.random.default_rng(0), "float32")
    with pytest.raises(dn.DigitnetError, match="more than one value per channel"):
        layer.forward(np.ones((1, 3), np.float32), training=True)
    assert layer.forward(np.ones((1, 3), np.float32)).shape == (1, 3)  # evaluation is fine
    layer.forward(np.ones((1, 3, 2, 2), np.float32), training=True)  # one image, 4 positions
