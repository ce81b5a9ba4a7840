"""Network.input_gradient (the page's "why" maps) against central differences in float64, for
every kind of layer, in evaluation mode (dropout off, batch norm on its running statistics)."""

import numpy as np
import pytest

import digitnet as dn
from digitnet.nn.spec import build_layers

NETWORKS = [
    ("dense 16, relu, dropout 0.3, dense 12, tanh", (20,)),
    ("dense 16, leaky_relu, batchnorm, dense 8, sigmoid", (12,)),
    (
        "conv 3 3, batchnorm, relu, maxpool 2, conv 4 3, relu, dropout 0.5, dense 8, relu",
        (1, 10, 10),
    ),
    ("conv 3 3 stride 2 pad 1, relu, global_avgpool", (2, 9, 9)),
]


def numerical_input_gradient(network, x, classes, h=1e-6):
    """d logits[n, classes[n]] / d x[n] by central differences, one input entry at a time."""
    grad = np.zeros_like(x)
    rows = np.arange(len(x))
    for index in np.ndindex(*x.shape[1:]):
        plus, minus = x.copy(), x.copy()
        plus[(slice(None), *index)] += h
        minus[(slice(None), *index)] -= h
        up = network.forward(plus)[rows, classes]
        down = network.forward(minus)[rows, classes]
        grad[(slice(None), *index)] = (up - down) / (2 * h)
    return grad


@pytest.mark.parametrize(("spec", "shape"), NETWORKS)
def test_input_gradient_matches_central_differences(spec, shape):
    network = dn.Sequential(build_layers(spec, shape), input_shape=shape, seed=1, dtype="float64")
    rng = np.random.default_rng(0)
    for layer in network.layers:  # batch norm with statistics and scales away from 0 and 1
        if layer.state:
            layer.state["running_mean"][...] = rng.normal(size=layer.num_features)
            layer.state["running_var"][...] = rng.uniform(0.5, 2, layer.num_features)
            layer.params["gamma"][...] = rng.uniform(0.5, 2, layer.num_features)
    x = rng.uniform(0, 1, (3, *shape))
    classes = np.array([1, 4, 7])
    expected = numerical_input_gradient(network, x, classes)
    got = network.input_gradient(x.copy(), classes)
    assert got.shape == x.shape
    assert np.abs(got - expected).max() <= 1e-6 * np.abs(expected).max()


def test_input_gradient_leaves_training_as_it_was():
    """It asks every layer for dL/dx, then restores the plan: the first layer skips it again,
    and training afterwards is unchanged (bit for bit)."""
    (X, y), _ = dn.load_mnist(dtype="uint8")
    first, second = dn.MLP(seed=0), dn.MLP(seed=0)
    first.input_gradient(X[:4].astype(np.float32) / 255, y[:4])
    assert [layer.needs_input_grad for layer in first.layers] == [
        layer.needs_input_grad for layer in second.layers
    ]
    for model in (first, second):  # on as many threads each: the default follows the load
        model.fit(X[:512], y[:512], epochs=1, verbose=0, threads=2)
    assert np.array_equal(first.flat_params, second.flat_params)


def test_dropout_after_an_evaluation_forward_passes_the_gradient_through():
    dropout = dn.Dropout(0.5)
    dropout.build(np.random.default_rng(0), "float64")
    x = np.ones((4, 6))
    dropout.forward(x, training=True)
    dropout.forward(x, training=False)  # an evaluation after training: no mask applies
    g = np.arange(24.0).reshape(4, 6)
    assert np.array_equal(dropout.backward(g), g)


def test_dropout_backward_matches_central_differences_with_its_mask_held():
    """Training dropout is y = x m / (1 - rate) for the mask m drawn by forward; with that mask
    fixed, the numerical gradient of sum(G y) is backward(G)."""
    dropout = dn.Dropout(0.4)
    dropout.build(np.random.default_rng(3), "float64")
    rng = np.random.default_rng(4)
    x, G = rng.normal(size=(5, 7)), rng.normal(size=(5, 7))
    y = dropout.forward(x, training=True)
    scale = np.divide(y, x)  # m / (1 - rate): 0 or 1 / 0.6 per entry
    assert set(np.round(np.unique(scale), 6)) <= {0.0, round(1 / 0.6, 6)}
    h, numerical = 1e-6, np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        numerical[index] = (np.sum(G * plus * scale) - np.sum(G * minus * scale)) / (2 * h)
    assert np.allclose(dropout.backward(G), numerical, rtol=1e-7, atol=1e-9)


def test_input_gradients_are_not_overwritten_by_the_next_call():
    (X, y), _ = dn.load_mnist(dtype="uint8")
    model = dn.MLP(seed=0)
    x = X[:2].astype(np.float32) / 255
    first = model.input_gradient(x, np.array([3, 3]))
    kept = first.copy()
    model.input_gradient(x, np.array([5, 5]))
    assert np.array_equal(first, kept)
