"""The training loop on real data and its contract: history, silence, schedules, divergence."""

import math

import numpy as np
import pytest

import digitnet as dn
from digitnet.errors import DigitnetError, DivergenceError
from digitnet.optim.schedules import learning_rate


@pytest.fixture(scope="module")
def mnist_uint8():
    return dn.load_mnist(dtype="uint8")


def test_short_real_training_run_passes_90_percent(mnist_uint8):
    (X, y), (X_test, y_test) = mnist_uint8
    model = dn.MLP(seed=0)
    history = model.fit(
        X[:10000],
        y[:10000],
        epochs=3,
        batch_size=128,
        verbose=0,
        optimizer=dn.Adam(lr=1e-3),
        validation_data=(X_test, y_test),
    )
    result = model.evaluate(X_test, y_test)
    assert result["accuracy"] > 0.90
    assert history.history["val_accuracy"][-1] == result["accuracy"]
    assert history.history["loss"][0] > history.history["loss"][-1]


def test_history_has_keras_names_and_a_dataframe(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.random((64, 784)).astype(np.float32), rng.integers(0, 10, 64)
    history = dn.MLP(seed=0).fit(
        X, y, epochs=3, batch_size=16, verbose=0, validation_data=(X[:8], y[:8])
    )
    assert history.epoch == [1, 2, 3]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"} <= set(history.history)
    frame = history.to_dataframe()
    assert list(frame["epoch"]) == [1, 2, 3] and len(frame) == 3
    history.to_csv(tmp_path / "h.csv")
    assert (tmp_path / "h.csv").read_text().splitlines()[0].startswith("epoch,loss,accuracy")


def test_verbose_0_prints_nothing_and_verbose_2_prints_one_line_per_epoch(capsys):
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 784)).astype(np.float32), rng.integers(0, 10, 40)
    dn.MLP(seed=0).fit(X, y, epochs=2, verbose=0)
    assert capsys.readouterr() == ("", "")
    dn.MLP(seed=0).fit(X, y, epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("epoch 2/2  loss ")


def test_full_batch_gradient_descent_decreases_the_loss():
    rng = np.random.default_rng(0)
    X, y = rng.random((100, 784)).astype(np.float32), rng.integers(0, 10, 100)
    history = dn.MLP(seed=0).fit(
        X, y, epochs=5, batch_size=100, optimizer=dn.SGD(lr=0.1), verbose=0
    )
    losses = history.history["loss"]
    assert all(a > b for a, b in zip(losses, losses[1:]))


def test_cosine_schedule_values_and_lr_restored():
    assert learning_rate("cosine", 0.1, 0, 100) == 0.1
    assert math.isclose(learning_rate("cosine", 0.1, 50, 100), 0.05)
    assert learning_rate("cosine", 0.1, 100, 100) == 0.0
    assert learning_rate("constant", 0.1, 77, 100) == 0.1
    optimizer = dn.Adam(lr=0.01)
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 784)).astype(np.float32), rng.integers(0, 10, 20)
    dn.MLP(seed=0).fit(X, y, epochs=1, optimizer=optimizer, lr_schedule="cosine", verbose=0)
    assert optimizer.lr == 0.01
    with pytest.raises(DigitnetError, match="'linear'"):
        dn.MLP().fit(X, y, lr_schedule="linear", verbose=0)


def test_divergence_stops_with_a_message_naming_epoch_batch_and_lr():
    rng = np.random.default_rng(0)
    X, y = rng.random((256, 784)).astype(np.float32), rng.integers(0, 10, 256)
    message = r"epoch 1/5, batch \d+ \(learning rate 1e\+12\); try a smaller learning rate"
    with pytest.raises(DivergenceError, match=message):
        dn.MLP(seed=0).fit(X, y, epochs=5, batch_size=32, optimizer=dn.SGD(lr=1e12), verbose=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"epochs": 0}, "epochs must be"), ({"batch_size": -3}, "batch_size must be")],
)
def test_bad_training_arguments(kwargs, message):
    X, y = np.zeros((4, 784), np.float32), np.zeros(4, np.int64)
    with pytest.raises(DigitnetError, match=message):
        dn.MLP().fit(X, y, verbose=0, **kwargs)


def test_exploding_but_finite_loss_counts_as_divergence():
    """Adam with lr 1000: the stable softmax keeps the loss finite (1e8 and more), but the
    weights have blown up; training must stop, not run on for 20 epochs."""
    rng = np.random.default_rng(0)
    X, y = rng.random((512, 784)).astype(np.float32), rng.integers(0, 10, 512)
    with pytest.raises(DivergenceError, match=r"loss became [\d.e+]+ \(it starts near 2.3\)"):
        dn.MLP(seed=0).fit(X, y, epochs=20, optimizer=dn.Adam(lr=1000), verbose=0)
