"""digitnet train --profile's measurements (training/profile.py) and the products it times."""

import numpy as np
import pytest

import digitnet as dn
from digitnet.nn.work import matrix_products, training_flops
from digitnet.training import profile as profile_module
from digitnet.training.profile import LayerProfile


def small_cnn(threads=1):
    model = dn.Sequential(
        [dn.Conv2D(1, 4, 3, padding=1), dn.ReLU(), dn.MaxPool2D(2), dn.Conv2D(4, 8, 3),
         dn.ReLU(), dn.Flatten(), dn.Dense(8 * 12 * 12, 10)],
        input_shape=(1, 28, 28),
        seed=0,
    )  # fmt: skip
    model.threads = threads
    return model


def images(n=96):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (n, 1, 28, 28), dtype=np.uint8), rng.integers(0, 10, n)


def test_the_profile_times_every_layer_and_leaves_the_training_unchanged():
    X, y = images()
    timed, plain = small_cnn(), small_cnn()
    profile = LayerProfile()
    timed.fit(X, y, epochs=2, batch_size=8, verbose=0, callbacks=[profile])
    plain.fit(X, y, epochs=2, batch_size=8, verbose=0)
    np.testing.assert_array_equal(timed.flat_params, plain.flat_params)
    assert all("forward" not in vars(layer) for layer in timed.layers)  # the methods are back
    summary = profile.summary()
    assert [layer.name for layer in summary.layers] == [
        "conv 4 3 pad 1", "relu", "maxpool 2", "conv 8 3", "relu", "flatten", "dense 10",
    ]  # fmt: skip
    assert summary.batches == 24 - profile_module.WARMUP and summary.threads == 1
    assert all(layer.forward > 0 for layer in summary.layers)
    assert summary.layers[0].backward > 0  # the first conv computes dW (not dx)
    layers_ms = sum(layer.forward + layer.backward for layer in summary.layers)
    assert 0 < layers_ms < summary.step_ms  # the step also batches, scores and updates
    assert 0 < summary.products_ms and 0 < summary.flop_bound_ms and summary.peak_gflops > 1


def test_the_products_are_the_counted_work():
    """The products an MLP step makes are the FLOP training_flops counts, product by product;
    a batch-last conv's carry its bias (one more row), an images-first conv's do not."""
    mlp = dn.MLP([784, 32, 10], seed=0)
    products = matrix_products(mlp, 16)
    assert [p.name for p in products] == [
        "0 dense x W", "0 dense x^T g", "2 dense x W", "2 dense x^T g", "2 dense g W^T",
    ]  # fmt: skip
    assert sum(2 * p.m * p.k * p.n * p.stack for p in products) == training_flops(mlp, 16)
    cnn = small_cnn()
    by_name = {p.name: p for p in matrix_products(cnn, 5)}
    # the first conv has one input channel, but gives its images batch last to the pooling
    # (nn/layout.py), so its patches are batch last too
    assert by_name["0 conv [W b] [cols; 1]"][1:4] == (4, 9 + 1, 784 * 5)
    assert by_name["3 conv [W b] [cols; 1]"][1:4] == (8, 4 * 9 + 1, 12 * 12 * 5)
    assert by_name["3 conv W^T g"][1:4] == (36, 8, 12 * 12 * 5)
    assert "0 conv W^T g" not in by_name  # the data needs no gradient
    lone = dn.Sequential(
        [dn.Conv2D(1, 4, 3, padding=1), dn.Flatten(), dn.Dense(4 * 28 * 28, 10)],
        input_shape=(1, 28, 28),
    )  # one input channel, images first in and out: a product per image
    by_name = {p.name: p for p in matrix_products(lone, 5)}
    assert by_name["0 conv W cols_n"][1:] == (4, 9, 784, False, False, 5)
    assert "0 conv W^T g_n" not in by_name


@pytest.mark.parametrize("threads", [1, 2])
def test_the_peak_is_a_positive_throughput(threads):
    assert profile_module.peak_gflops(threads, size=128, repeats=2) > 0.5
