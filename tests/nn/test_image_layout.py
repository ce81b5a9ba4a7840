"""The network's layout plan (nn/layout.py): images batch last between convolution and pooling
layers gives the same numbers as every layer taking and giving (N, C, H, W)."""

from __future__ import annotations

import numpy as np
import pytest

import digitnet as dn
from digitnet.nn.batchnorm import BatchNorm
from digitnet.nn.conv import Conv2D
from digitnet.nn.flatten import Flatten
from digitnet.nn.gradcheck import check_model
from digitnet.nn.layers import OWN_TYPES
from digitnet.nn.layout import in_layout, plan_layouts
from digitnet.nn.network import Network
from digitnet.nn.pooling import GlobalAvgPool, MaxPool2D

FLOAT64 = {"rtol": 1e-12, "atol": 1e-12}


class LearnersReLU(dn.ReLU):
    """A layer that is not digitnet's own (as a learner's would be)."""


def lenet_layers() -> list:
    return [
        Conv2D(1, 4, 5, padding=2), dn.ReLU(), MaxPool2D(2),
        Conv2D(4, 6, 5, padding=2), dn.ReLU(), MaxPool2D(2),
        Flatten(), dn.Dense(6 * 7 * 7, 8), dn.ReLU(), dn.Dense(8, 3),
    ]  # fmt: skip


def vgg_layers() -> list:
    """Batch norm, strided and overlapping windows, a global pool and every activation."""
    return [
        Conv2D(2, 3, 3, padding=1), BatchNorm(3), dn.ReLU(),
        Conv2D(3, 4, 3, padding=1), BatchNorm(4), dn.LeakyReLU(), MaxPool2D(2),
        Conv2D(4, 4, 3, stride=2, padding=1), dn.Tanh(), MaxPool2D(2, stride=1),
        Conv2D(4, 5, 1), dn.Sigmoid(), GlobalAvgPool(), dn.Dense(5, 3),
    ]  # fmt: skip


def dropout_layers() -> list:
    """A dropout between a convolution and a pooling: images first into the pooling, batch
    last out of it."""
    return [
        Conv2D(1, 3, 3, padding=1), dn.ReLU(), dn.Dropout(0.3), MaxPool2D(2),
        Conv2D(3, 4, 3), dn.ReLU(), Flatten(), dn.Dense(4 * 2 * 2, 3),
    ]  # fmt: skip


def images_first_everywhere(net: Network) -> Network:
    """The same network with every layer taking and giving (N, C, H, W): the plain version."""
    for layer in net.layers:
        layer.input_batch_last = layer.output_batch_last = False
    return net


def test_images_stay_batch_last_from_the_first_convolution_to_the_last_pooling():
    boundaries = plan_layouts(lenet_layers(), OWN_TYPES)
    # data | conv relu pool conv relu pool | flatten dense relu dense
    assert boundaries == [False, True, True, True, True, True, False, False, False, False, False]


def test_a_learners_layer_gets_images_first_and_so_do_its_neighbours():
    layers = [Conv2D(1, 2, 3), dn.ReLU(), LearnersReLU(), MaxPool2D(2), Conv2D(2, 2, 1)]
    assert plan_layouts(layers, OWN_TYPES) == [False, False, False, False, True, False]
    assert not layers[2].input_batch_last and not layers[2].output_batch_last


def test_a_lone_convolution_and_a_dense_network_are_images_first():
    assert plan_layouts([Conv2D(1, 2, 3), Flatten(), dn.Dense(18, 2)], OWN_TYPES) == [False] * 4
    assert plan_layouts([dn.Dense(4, 3), dn.ReLU(), dn.Dense(3, 2)], OWN_TYPES) == [False] * 4


def test_in_layout_views_both_ways():
    x = np.arange(2 * 3 * 4 * 5.0).reshape(2, 3, 4, 5)  # (N, C, H, W)
    batch_last = in_layout(x, False, True)
    assert batch_last.shape == (3, 4, 5, 2) and np.shares_memory(x, batch_last)
    assert batch_last[1, 2, 3, 1] == x[1, 1, 2, 3]
    np.testing.assert_array_equal(in_layout(batch_last, True, False), x)
    assert in_layout(x, True, True) is x


def test_a_pooling_after_a_dropout_takes_images_first_and_gives_them_batch_last():
    layers = dropout_layers()
    Network(layers, input_shape=(1, 8, 8), seed=0)
    assert not layers[3].input_batch_last and layers[3].output_batch_last
    assert layers[4].input_batch_last and not layers[4].output_batch_last


@pytest.mark.parametrize(
    "make, shape, dtype",
    [
        (lenet_layers, (1, 28, 28), "float64"),
        (vgg_layers, (2, 13, 13), "float64"),
        (dropout_layers, (1, 8, 8), "float64"),
        (vgg_layers, (2, 13, 13), "float32"),
    ],
)
def test_planned_network_matches_images_first_network(make, shape, dtype):
    """Logits, every gradient, dL/dx and the activations handed out, against the plain layout."""
    tolerance = FLOAT64 if dtype == "float64" else {"rtol": 1e-5, "atol": 1e-6}
    rng = np.random.default_rng(3)
    x, labels = rng.standard_normal((5, *shape)).astype(dtype), rng.integers(0, 3, 5)
    results = []
    for plain in (False, True):
        net = Network(make(), input_shape=shape, seed=0, dtype=dtype)
        if plain:
            images_first_everywhere(net)
        else:
            assert any(layer.output_batch_last for layer in net.layers)
        for p in net.parameters().values():
            p[...] += np.random.default_rng(4).standard_normal(p.shape) * 0.1
        activations: list = []
        logits = net.forward(x, training=True, activations=activations).copy()
        net.loss.forward(logits, labels)
        net.backward(net.loss.backward())
        grads = {name: g.copy() for name, g in net.gradients().items()}
        seen = [a.copy() for a in activations]
        eval_logits = net.forward(x)
        dx = net.input_gradient(x, labels)
        results.append((logits, grads, seen, eval_logits, dx))
    (logits, grads, seen, eval_logits, dx), plain = results
    np.testing.assert_allclose(logits, plain[0], **tolerance)
    for name, g in grads.items():
        np.testing.assert_allclose(g, plain[1][name], **tolerance, err_msg=name)
    assert [a.shape for a in seen] == [a.shape for a in plain[2]]
    assert all(a.shape[0] == 5 for a in seen)  # images first, as the page reads them
    for a, b in zip(seen, plain[2]):
        np.testing.assert_allclose(a, b, **tolerance)
    np.testing.assert_allclose(eval_logits, plain[3], **tolerance)
    np.testing.assert_allclose(dx, plain[4], **tolerance)


def test_planned_network_passes_gradient_check():
    rng = np.random.default_rng(5)
    net = Network(vgg_layers(), input_shape=(2, 13, 13), seed=0, dtype="float64")
    assert net.layers[3].input_batch_last and net.layers[3].output_batch_last
    assert net.layers[9].input_batch_last and net.layers[9].output_batch_last  # overlapping
    for p in net.parameters().values():
        p[...] += rng.standard_normal(p.shape) * 0.1
    errors = check_model(net, rng.standard_normal((4, 2, 13, 13)), rng.integers(0, 3, 4))
    for name in ("0.b", "3.b"):  # a bias just before batch norm: no effect, gradient 0
        errors.pop(name)
    assert max(errors.values()) < 1e-6, errors
