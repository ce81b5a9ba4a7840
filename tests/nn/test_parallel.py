"""A step split across threads (nn/parallel.py) against the one-thread step it replaces."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import digitnet as dn
from digitnet.errors import DivergenceError
from digitnet.nn import parallel as parallel_module
from digitnet.nn import threads as threads_module
from digitnet.nn.parallel import row_shares
from digitnet.training.loop import train_step

TOLERANCE = {"float64": 1e-12, "float32": 1e-5}  # relative, for one step


@pytest.fixture(autouse=True)
def split_any_batch(monkeypatch):
    """These networks are small: let every batch be split, whatever its work."""
    monkeypatch.setattr(parallel_module, "MIN_SHARE_WORK", 1)


def small_cnn(dtype: str, threads: int, norm: bool = True, dropout: float = 0.0):
    """conv, (batch norm,) ReLU, pool, (dropout,) dense, ReLU, dense: every kind of layer a
    thread copies, on 28x28 images."""
    layers = [dn.Conv2D(1, 4, 3, padding=1)]
    layers += [dn.BatchNorm(4)] if norm else []
    layers += [dn.ReLU(), dn.MaxPool2D(2), dn.Flatten()]
    layers += [dn.Dropout(dropout)] if dropout else []
    layers += [dn.Dense(4 * 14 * 14, 16), dn.ReLU(), dn.Dense(16, 10, init="glorot")]
    model = dn.Sequential(layers, input_shape=(1, 28, 28), seed=3, dtype=dtype)
    model.threads = threads
    return model


def images(n: int, dtype: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 28, 28)).astype(dtype), rng.integers(0, 10, n)


def one_step(model, x, labels):
    """One SGD step with momentum: (logits, loss, gradients, parameters after)."""
    optimizer = dn.SGD(0.05, momentum=0.9)
    logits, loss = train_step(model, x, labels, optimizer, model.block.groups(False))
    return logits.copy(), loss, model.flat_grads.copy(), model.flat_params.copy()


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("norm, dropout", [(True, 0.0), (False, 0.3), (True, 0.5)])
def test_a_step_on_several_threads_is_the_one_thread_step(dtype, threads, norm, dropout):
    """Gradients, loss, logits, weights after the step and batch norm's running statistics
    agree to float rounding; 37 images do not split evenly."""
    x, labels = images(37, dtype)
    one, many = small_cnn(dtype, 1, norm, dropout), small_cnn(dtype, threads, norm, dropout)
    assert one.parallel is None and many.parallel is not None
    expected, got = one_step(one, x, labels), one_step(many, x, labels)
    tolerance = TOLERANCE[dtype]
    assert relative(got[2], expected[2]) < tolerance  # the gradient of every parameter
    assert relative(got[0], expected[0]) < tolerance
    assert abs(got[1] - expected[1]) < tolerance * expected[1]
    assert relative(got[3], expected[3]) < tolerance
    for a, b in zip(one.layers, many.layers):
        for name in a.state:
            assert relative(b.state[name], a.state[name]) < tolerance, name
    assert np.abs(expected[2]).max() > 0  # a gradient that could disagree


def test_a_float64_epoch_on_two_threads_is_the_one_thread_epoch():
    X, y = images(300, "float64", seed=1)
    histories, weights = [], []
    for threads in (1, 2):
        model = small_cnn("float64", threads, norm=True, dropout=0.2)
        history = model.fit(X, y, epochs=1, batch_size=32, verbose=0)
        histories.append(history.history["loss"][0])
        weights.append(model.flat_params.copy())
    assert relative(weights[1], weights[0]) < 1e-8
    assert abs(histories[1] - histories[0]) < 1e-8 * histories[0]


def test_the_same_seed_and_thread_count_give_the_same_bits():
    X, y = images(200, "float32", seed=2)
    runs = []
    for _ in range(2):
        model = small_cnn("float32", 2, dropout=0.3)
        history = model.fit(X, y, epochs=2, batch_size=50, verbose=0)
        runs.append((history.history["loss"], model.flat_params.copy()))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_fit_threads_sets_the_models_thread_count():
    X, y = images(40, "float32")
    model = small_cnn("float32", 1)
    model.fit(X, y, epochs=1, batch_size=20, verbose=0, threads=2)
    assert model.threads == 2 and model.parallel is not None


def test_batches_smaller_than_the_thread_count_run_on_fewer_threads():
    """A batch of one image on three threads: one thread trains it (no empty share)."""
    X, y = images(5, "float64")
    one, many = small_cnn("float64", 1), small_cnn("float64", 3)
    for model in (one, many):  # batches of 2, 2 and 1
        model.fit(X, y, epochs=2, batch_size=2, optimizer=dn.SGD(0.01), verbose=0)
    assert relative(many.flat_params, one.flat_params) < 1e-10


def test_predictions_on_several_threads_are_those_of_one():
    x, _ = images(300, "float32")
    one, many = small_cnn("float32", 1), small_cnn("float32", 2)
    assert relative(many.predict_logits(x), one.predict_logits(x)) < 1e-5
    assert many.predict_logits(x[:1]).shape == (1, 10)


def test_a_layer_that_is_not_digitnets_own_runs_on_one_thread():
    class MyReLU(dn.ReLU):  # a learner's own layer, e.g.
        pass

    layers = [dn.Conv2D(1, 2, 3), MyReLU(), dn.Flatten(), dn.Dense(2 * 26 * 26, 10)]
    model = dn.Sequential(layers, input_shape=(1, 28, 28), seed=0)
    model.threads = 2
    assert model.parallel is None and model.threads_per_step(128) == 1


def test_a_failing_thread_raises_in_the_caller_and_wakes_the_others():
    """Thread 1 fails before its batch norm's sum, for which thread 0 waits: the caller gets
    thread 1's error (not a hang, not the broken barrier), and the next step works."""
    x, labels = images(16, "float32")
    model = small_cnn("float32", 2)
    parallel = model.parallel
    conv = parallel.copies[1][0]
    forward = conv.forward

    def fails(x, training=False):
        raise ValueError("thread 1 failed")

    conv.forward = fails
    outcome: list[BaseException] = []

    def step():
        try:
            one_step(model, x, labels)
        except BaseException as error:
            outcome.append(error)

    runner = threading.Thread(target=step)
    runner.start()
    runner.join(timeout=20)
    assert not runner.is_alive(), "the step hangs"
    assert isinstance(outcome[0], ValueError) and "thread 1 failed" in str(outcome[0])
    conv.forward = forward
    assert np.isfinite(one_step(model, x, labels)[1])


def test_a_diverging_run_on_two_threads_raises_the_divergence_error():
    X, y = images(64, "float32")
    model = small_cnn("float32", 2, norm=False)
    with pytest.raises(DivergenceError, match="smaller learning rate"):
        model.fit(X * 1e30, y, epochs=2, batch_size=32, optimizer=dn.SGD(1e30), verbose=0)


def test_a_step_is_split_only_where_each_share_has_enough_work(monkeypatch):
    monkeypatch.setattr(parallel_module, "MIN_SHARE_WORK", 10_000_000)
    cnn = small_cnn("float32", 2, norm=False)  # conv 4 3x3 pad 1, dense 784 -> 16 -> 10
    per_image = 4 * 9 * 28 * 28 + 784 * 16 + 16 * 10
    assert cnn.parallel.work_per_example == per_image
    short = (2 * 10_000_000 - 1) // per_image  # images: two shares of them fall short
    assert [cnn.parallel.threads_for(n) for n in (1, short, short + 1)] == [1, 1, 2]
    cnn.threads = 3
    assert cnn.parallel.threads_for(10 * short) == 3


def test_a_network_of_dense_layers_runs_its_steps_on_one_thread(monkeypatch):
    """Its steps are all matrix products, which the BLAS's threads spread better: one thread
    of ours, with all the threads for the BLAS."""
    mlp = dn.MLP([784, 128, 64, 10], seed=0)
    mlp.threads = 2
    assert mlp.parallel.threads_for(10_000) == 1
    assert mlp.threads_per_step(128) == 1 and mlp.blas_threads(128) == 2
    cnn = small_cnn("float32", 2)
    assert cnn.threads_per_step(128) == 2 and cnn.blas_threads(128) == 1


def test_row_shares_cover_the_batch_in_near_equal_consecutive_parts():
    assert row_shares(10, 3) == [slice(0, 4), slice(4, 7), slice(7, 10)]
    assert row_shares(128, 2) == [slice(0, 64), slice(64, 128)]


@pytest.mark.parametrize(
    "variables, busy, expected",
    [({}, 0, 2), ({"OMP_NUM_THREADS": "1"}, 0, 1), ({"OPENBLAS_NUM_THREADS": "8"}, 0, 2),
     ({"MKL_NUM_THREADS": "x"}, 1, 2), ({}, 2, 1), ({"OMP_NUM_THREADS": "4"}, 3, 1)],
)  # fmt: skip
def test_the_default_thread_count_is_the_cores_capped_by_the_users_variables_and_the_load(
    monkeypatch, variables, busy, expected
):
    """Every core busy with other programs' threads (`busy` of them): one thread."""
    monkeypatch.setattr(threads_module, "available_cores", lambda: 2)
    monkeypatch.setattr(threads_module, "busy_elsewhere", lambda: busy)
    for name in threads_module.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert threads_module.default_threads() == expected


def test_busy_elsewhere_sees_another_programs_running_threads():
    import subprocess
    import sys

    spin = (
        "import threading\n"
        "for _ in range(2): threading.Thread(target=lambda: [1 for _ in iter(int, 1)]).start()"
    )
    child = subprocess.Popen([sys.executable, "-c", spin])
    try:
        seen = max(threads_module.busy_elsewhere() for _ in range(100))
    finally:
        child.kill()
        child.wait()
    assert seen >= 1  # the child's spinning threads (more on a busy machine)
    assert threads_module._running_here() >= 1  # at least the thread that asks


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_a_bad_thread_count_is_refused_with_its_value(bad):
    model = small_cnn("float32", 1)
    with pytest.raises(dn.DigitnetError, match="threads"):
        model.threads = bad


def test_blas_runs_on_one_thread_inside_and_as_before_after():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]

    before = blas_threads()
    with threads_module.one_blas_thread():
        assert set(blas_threads()) == {1}
    assert blas_threads() == before


def test_the_copies_keep_the_class_methods_not_an_instances_own():
    """A timer put on the network's own layer (as --profile does) stays there: a copy that ran
    it would compute with thread 0's layer instead of its own."""
    model = small_cnn("float32", 2)
    calls = []
    conv = model.layers[0]
    forward = conv.forward

    def counted(x, training=False):
        calls.append(len(x))
        return forward(x, training)

    conv.forward = counted
    x, labels = images(20, "float32")
    one_step(model, x, labels)
    assert calls == [10]  # thread 0's share only
    assert "forward" not in vars(model.parallel.copies[1][0])


class PlainSGD(dn.Optimizer):
    """A learner's optimizer: step() alone, no update in parts."""

    def step(self, params, grads, decay=None):
        for p, g in zip(params, grads):
            p -= self.lr * g


@pytest.mark.parametrize(
    "make",
    [lambda: dn.Adam(0.01, weight_decay=0.1), lambda: dn.SGD(0.05, 0.9, nesterov=True),
     lambda: PlainSGD(0.05)],
    ids=["adam", "nesterov", "step-only"],
)  # fmt: skip
def test_the_threads_update_the_weights_part_by_part_as_one_step_does(make):
    """Three steps: each thread adds the gradients and updates its part of every flat array
    (an optimizer with step() alone updates on the calling thread)."""
    x, labels = images(40, "float64")
    results = []
    for threads in (1, 2):
        model, optimizer = small_cnn("float64", threads, dropout=0.2), make()
        groups = model.block.groups(optimizer.weight_decay > 0)
        for _ in range(3):
            train_step(model, x, labels, optimizer, groups)
        results.append(model.flat_params.copy())
    # Adam divides by sqrt(V): a gradient's last bits move a weight whose gradient is near 0
    tolerance = 1e-8 if isinstance(optimizer, dn.Adam) else 1e-12
    assert relative(results[1], results[0]) < tolerance
    assert not np.array_equal(results[0], small_cnn("float64", 1).flat_params)  # it moved
