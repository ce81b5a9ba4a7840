"""The callbacks around the training step: early stopping, the progress bar, the epoch line."""

import math

import numpy as np
import pytest

import digitnet as dn
from digitnet.errors import DigitnetError
from digitnet.training.callbacks import (
    Callback,
    EarlyStopping,
    EpochLogger,
    LambdaCallback,
    ProgressBar,
    RunState,
    epoch_line,
)
from digitnet.training.history import History


class Weights:
    """A stand-in for a network: early stopping only reads and writes flat_params."""

    def __init__(self) -> None:
        self.flat_params = np.zeros(3)


def run_state(model=None, epochs=5, n_examples=1200) -> RunState:
    return RunState(model or Weights(), optimizer=None, epochs=epochs, steps_per_epoch=10,
                    n_examples=n_examples)  # fmt: skip


@pytest.mark.parametrize("patience", [0, -1, 1.5, True, "3"])
def test_early_stopping_patience_must_be_a_positive_integer(patience):
    with pytest.raises(DigitnetError, match=r"early_stopping must be an integer >= 1, got "):
        EarlyStopping(patience)
    assert EarlyStopping(1).patience == 1


def test_early_stopping_keeps_the_first_best_epoch_and_restores_it(capsys):
    model = Weights()
    stopper = EarlyStopping(2)
    run = run_state(model)
    stopper.on_train_begin(run)
    for epoch, val_loss in enumerate([0.9, 0.5, 0.5, 0.7], start=1):
        model.flat_params[:] = epoch  # the weights after this epoch
        stopper.on_epoch_end(epoch, {"val_loss": val_loss})
        if run.stop_training:
            break
    assert (epoch, stopper.best_epoch) == (4, 2)  # a tie (epoch 3) is no improvement
    stopper.on_train_end()
    np.testing.assert_array_equal(model.flat_params, 2.0)
    assert capsys.readouterr().out == ""  # quiet unless asked


def test_early_stopping_says_when_it_stops(capsys):
    stopper = EarlyStopping(1, verbose=True)
    run = run_state()
    stopper.on_train_begin(run)
    stopper.on_epoch_end(1, {"val_loss": 0.5})
    stopper.on_epoch_end(2, {"val_loss": 0.6})
    assert run.stop_training
    assert capsys.readouterr().out == (
        "early stopping: val_loss has not improved for 1 epochs; keeping the weights of epoch 1\n"
    )


def test_early_stopping_without_any_finite_loss_stops_and_leaves_the_weights():
    model = Weights()
    model.flat_params[:] = 7.0
    stopper, run = EarlyStopping(1), run_state(model)
    stopper.on_train_begin(run)
    stopper.on_epoch_end(1, {"val_loss": float("inf")})
    assert run.stop_training  # epoch 1 is one epoch without improvement
    stopper.on_train_end()
    np.testing.assert_array_equal(model.flat_params, 7.0)


def test_progress_bar_counts_images_on_stderr_and_disappears(capsys):
    bar = ProgressBar()
    bar.on_train_begin(run_state(epochs=5, n_examples=1200))
    bar.on_train_end()  # a run that ends before its first epoch (resumed when already done)
    bar.on_epoch_begin(3)
    assert bar.bar is not None and bar.bar.total == 1200
    bar.on_batch_end(0, {"size": 1000})
    bar.on_batch_end(1, {"size": 200})
    assert bar.bar.n == 1200
    bar.bar.refresh()
    bar.on_epoch_end(3, {})
    assert bar.bar is None
    bar.on_train_end()  # nothing left to close
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "epoch 3/5: 100%" in captured.err and "1.20k/1.20k" in captured.err  # scaled units
    assert "img/s]" in captured.err
    assert not captured.err.endswith("\n")  # the finished bar is erased, not left behind


def test_epoch_logger_prints_one_line_naming_the_validation_set(capsys):
    metrics = {"loss": 0.5, "accuracy": 0.75, "seconds": 2.0, "images_per_second": 1000.0}
    logger = EpochLogger()
    logger.on_train_begin(run_state(epochs=12))
    logger.on_epoch_end(3, {**metrics, "val_loss": 0.25, "val_accuracy": 0.875})
    assert capsys.readouterr().out == (
        "epoch  3/12  loss 0.5000  accuracy 0.7500  val_loss 0.2500  val_accuracy 0.8750  "
        "2.00s  1,000 img/s\n"
    )


def test_epoch_line_with_augmentation_and_without_validation():
    metrics = {"loss": 0.5, "accuracy": 0.75, "seconds": 2.0, "images_per_second": 1000.0}
    line = epoch_line(1, 5, {**metrics, "augment_seconds": 0.5}, "test")
    assert line == "epoch 1/5  loss 0.5000  accuracy 0.7500  2.00s  1,000 img/s (augmenting 25%)"


def test_early_stopping_restores_the_best_epoch():
    rng = np.random.default_rng(0)
    X, y = rng.random((64, 784)).astype(np.float32), rng.integers(0, 10, 64)
    X_val, y_val = rng.random((64, 784)).astype(np.float32), rng.integers(0, 10, 64)  # noise:
    model = dn.MLP(seed=0)  # fitting the training set only makes the validation loss worse
    snapshots = {}
    keep = lambda epoch, metrics: snapshots.update({epoch: model.flat_params.copy()})  # noqa
    history = model.fit(
        X,
        y,
        epochs=50,
        batch_size=16,
        optimizer=dn.Adam(0.01),
        verbose=0,
        validation_data=(X_val, y_val),
        early_stopping=3,
        callbacks=[LambdaCallback(keep)],
    )
    losses = history.history["val_loss"]
    best = int(np.argmin(losses)) + 1
    assert len(losses) == best + 3 < 50  # stopped 3 epochs after the best one
    assert np.array_equal(model.flat_params, snapshots[best])
    with pytest.raises(DigitnetError, match="validation"):
        dn.MLP().fit(X, y, early_stopping=2, verbose=0)


def test_early_stopping_comes_after_the_callers_callbacks():
    """As callbacks=[mine, EarlyStopping(3)] would: a callback of the caller sees each epoch as
    it ended (not yet stopped) and, at the end, the last epoch's weights (not yet restored)."""
    rng = np.random.default_rng(0)
    X, y = rng.random((64, 784)).astype(np.float32), rng.integers(0, 10, 64)
    X_val, y_val = rng.random((64, 784)).astype(np.float32), rng.integers(0, 10, 64)
    model = dn.MLP(seed=0)
    seen = {"stopped": [], "end": None}

    class Watch(Callback):
        def on_train_begin(self, run):
            self.run = run

        def on_epoch_end(self, epoch, logs):
            seen["stopped"].append(self.run.stop_training)

        def on_train_end(self):
            seen["end"] = model.flat_params.copy()

    history = model.fit(
        X, y, epochs=50, batch_size=16, optimizer=dn.Adam(0.01), verbose=0,
        validation_data=(X_val, y_val), early_stopping=3, callbacks=[Watch()],
    )  # fmt: skip
    assert len(history.epoch) < 50 and not any(seen["stopped"])
    assert not np.array_equal(seen["end"], model.flat_params)  # restored after Watch saw it


def test_history_keeps_a_value_per_epoch_for_every_metric():
    """A metric that starts (or stops) later is NaN in the epochs without it: a quiet run's
    resumed epochs with test scores still make a history (and a checkpoint) that loads."""
    history = History()
    history.append(1, loss=0.5)
    history.append(2, loss=0.4, val_loss=0.45)
    history.append(3, val_loss=0.4)
    assert history.epoch == [1, 2, 3]
    assert history.history["loss"][:2] == [0.5, 0.4] and math.isnan(history.history["loss"][2])
    assert math.isnan(history.history["val_loss"][0]) and history.history["val_loss"][1:] == [
        0.45,
        0.4,
    ]
    assert len(history.to_dataframe()) == 3
