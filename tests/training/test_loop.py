"""The training loop on real data and its contract: history, silence, schedules, divergence."""

import math

import numpy as np
import pytest
from conftest import make_blobs

import digitnet as dn
from digitnet.data.augment import AUGMENTATIONS
from digitnet.errors import DigitnetError, DivergenceError
from digitnet.nn.inputs import as_input
from digitnet.optim.schedules import learning_rate
from digitnet.training import loop
from digitnet.training.callbacks import Callback, LambdaCallback


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
        dn.MLP(seed=0).fit(
            X, y, epochs=5, batch_size=32, optimizer=dn.SGD(lr=1e12), lr_schedule="constant",
            verbose=0,
        )  # fmt: skip


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


# What the loop does, seen from outside: the learning rate of every step, the batches the model
# trains on (with their labels), and the numbers the history reports.


class LearningRates(Callback):
    """Records the optimizer's learning rate after every step."""

    def __init__(self) -> None:
        self.rates: list[float] = []

    def on_train_begin(self, run) -> None:
        self.run = run

    def on_batch_end(self, batch: int, logs: dict) -> None:
        self.rates.append(self.run.optimizer.lr)


@pytest.mark.parametrize("schedule", ["cosine", "step"])
@pytest.mark.parametrize("warmup_epochs", [0, 1])
@pytest.mark.parametrize("initial_epoch", [0, 1])
def test_each_step_uses_the_schedules_rate_for_its_own_step(
    schedule, warmup_epochs, initial_epoch
):
    """4 steps an epoch, 3 epochs: step k (0-based) trains with learning_rate(..., k, 12);
    the first step with the full rate (or lr / 4 under warm-up), none wasted."""
    rng = np.random.default_rng(0)
    X, y = rng.random((50, 784)).astype(np.float32), rng.integers(0, 10, 50)
    recorder = LearningRates()
    dn.MLP([784, 16, 10], seed=0).fit(
        X,
        y,
        epochs=3,
        batch_size=16,
        optimizer=dn.SGD(lr=0.1),
        lr_schedule=schedule,
        warmup_epochs=warmup_epochs,
        initial_epoch=initial_epoch,
        callbacks=[recorder],
        verbose=0,
    )
    expected = [learning_rate(schedule, 0.1, k, 12, 4 * warmup_epochs) for k in range(12)]
    assert recorder.rates == expected[4 * initial_epoch :]
    if initial_epoch == 0:
        assert recorder.rates[0] == (0.1 / 4 if warmup_epochs else 0.1)
        assert recorder.rates[4 * warmup_epochs] == 0.1


class Batches(Callback):
    """Records, epoch by epoch, each batch the model trained on and the labels its loss got."""

    def __init__(self, model, monkeypatch) -> None:
        self.x: list[list[np.ndarray]] = []
        self.labels: list[list[np.ndarray]] = []
        model.threads = 1  # the step calls model.forward (several threads call their copies')
        forward, loss_forward = model.forward, model.loss.forward

        def recorded_forward(x, training=False, activations=None):
            if training:
                self.x[-1].append(x.copy())  # a copy: the loop reuses its buffer
            return forward(x, training, activations)

        def recorded_loss(logits, labels):
            self.labels[-1].append(labels.copy())
            return loss_forward(logits, labels)

        monkeypatch.setattr(model, "forward", recorded_forward)
        monkeypatch.setattr(model.loss, "forward", recorded_loss)

    def on_epoch_begin(self, epoch: int) -> None:
        self.x.append([])
        self.labels.append([])


def test_every_epoch_visits_every_image_once_in_a_new_order_with_its_label(monkeypatch):
    n = 50
    rng = np.random.default_rng(0)
    X, y = rng.random((n, 784)).astype(np.float32), rng.integers(0, 10, n)
    X[:, 0] = np.arange(n) / n  # each image carries its index in its first pixel
    model = dn.MLP([784, 16, 10], seed=0)
    seen = Batches(model, monkeypatch)
    model.fit(
        X, y, epochs=3, batch_size=16, optimizer=dn.SGD(lr=0.01), callbacks=[seen], verbose=0
    )
    orders = []
    for batches, labels in zip(seen.x, seen.labels):
        assert [len(x) for x in batches] == [16, 16, 16, 2]
        order = np.concatenate([np.rint(x[:, 0] * n).astype(int) for x in batches])
        np.testing.assert_array_equal(np.sort(order), np.arange(n))  # each image once
        np.testing.assert_array_equal(np.concatenate(batches), X[order])  # unchanged
        np.testing.assert_array_equal(np.concatenate(labels), y[order])  # with its own label
        orders.append(order)
    assert len(orders) == 3
    for i in range(3):
        for j in range(i):
            assert not np.array_equal(orders[i], orders[j]), (i, j)


def record_orders(monkeypatch) -> list[np.ndarray]:
    """The order that loop.fit asks loop.Batches for, epoch by epoch."""
    orders: list[np.ndarray] = []
    batches = loop.Batches

    def recorded(X, y, order, *args, **kwargs):
        orders.append(np.array(order))
        return batches(X, y, order, *args, **kwargs)

    monkeypatch.setattr(loop, "Batches", recorded)
    return orders


@pytest.mark.parametrize("augmentation", ["affine", "elastic", None])
def test_augmentation_distorts_every_training_batch_anew(monkeypatch, augmentation):
    X, y = make_blobs(40)
    model = dn.MLP([784, 16, 10], seed=0)
    seen, orders = Batches(model, monkeypatch), record_orders(monkeypatch)
    augment = AUGMENTATIONS[augmentation] if augmentation else None
    history = model.fit(
        X, y, epochs=2, batch_size=16, augment=augment, callbacks=[seen], verbose=0
    )
    assert len(orders) == 2
    first_image = []
    for order, batches in zip(orders, seen.x):
        x, plain = np.concatenate(batches), as_input(X[order], "float32")
        first_image.append(x[np.flatnonzero(order == 0)[0]])
        if augment is None:
            np.testing.assert_array_equal(x, plain)
            continue
        assert x.shape == plain.shape and x.min() >= 0 and x.max() <= 1
        moved = np.abs(x - plain).mean(axis=1)  # each image's mean pixel change
        assert moved.min() > 0.01, moved.min()
        assert abs(x.sum() / plain.sum() - 1) < 0.2  # distorted, not blanked out
    if augment is None:
        assert "augment_seconds" not in history.history
    else:
        assert np.abs(first_image[0] - first_image[1]).mean() > 0.01  # new each epoch
        assert all(s > 0 for s in history.history["augment_seconds"])


def test_validation_metrics_are_those_of_the_plain_validation_images():
    """With augmentation on, val_loss and val_accuracy are still model.evaluate's on the
    unchanged validation set, after every epoch."""
    X, y = make_blobs(60, seed=1)
    X_val, y_val = make_blobs(30, seed=2)
    model = dn.MLP([784, 16, 10], seed=0)
    evaluated = []

    def evaluate_now(epoch, logs):
        evaluated.append((logs["val_loss"], logs["val_accuracy"], model.evaluate(X_val, y_val)))

    history = model.fit(
        X,
        y,
        epochs=3,
        batch_size=16,
        augment=AUGMENTATIONS["elastic"],
        validation_data=(X_val, y_val),
        callbacks=[LambdaCallback(evaluate_now)],
        verbose=0,
    )
    assert len(evaluated) == 3
    for val_loss, val_accuracy, result in evaluated:
        assert (val_loss, val_accuracy) == (result["loss"], result["accuracy"])
    final = model.evaluate(X_val, y_val)
    assert history.history["val_loss"][-1] == final["loss"]
    assert history.history["val_accuracy"][-1] == final["accuracy"]


@pytest.mark.parametrize("batch_size", [16, 30, 100])
def test_epoch_accuracy_and_loss_are_those_of_the_model_on_its_training_set(batch_size):
    """With a learning rate too small to move the weights, the epoch's training accuracy
    (counted during the forward passes) must be exactly model.score on the same data."""
    X, y = make_blobs(100, seed=3)
    model = dn.MLP([784, 16, 10], seed=0)
    model.fit(X, y, epochs=1, batch_size=50, optimizer=dn.SGD(lr=0.05), verbose=0)
    before = model.evaluate(X, y)
    assert 0.2 < before["accuracy"] < 1.0  # partly trained: a miscount would show
    history = model.fit(
        X, y, epochs=1, batch_size=batch_size, optimizer=dn.SGD(lr=1e-12), verbose=0
    )
    assert history.history["accuracy"] == [before["accuracy"]]
    assert history.history["loss"][0] == pytest.approx(before["loss"], rel=1e-5)
