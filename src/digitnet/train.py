"""The training loop: mini-batch gradient descent over shuffled epochs.

Each step is five visible lines: forward, loss, backward, optimizer step, record.
Full-batch gradient descent is the special case batch_size = len(X).
"""

from __future__ import annotations

import contextlib
import math
import sys
import time

import numpy as np

from .errors import DigitnetError, DivergenceError
from .history import History
from .model import MLP, as_input
from .optim import Adam
from .schedules import learning_rate


def _check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DigitnetError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def fit(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    epochs: int = 10,
    batch_size: int = 128,
    optimizer=None,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    verbose: int = 1,
    shuffle: bool = True,
    lr_schedule: str = "constant",
    validation_name: str = "val",
) -> History:
    """Train `model` on images X (uint8 0-255 or floats in [0, 1]) and integer labels y.

    optimizer: an SGD or Adam instance (default Adam(lr=0.001)).
    validation_data: (X_val, y_val), evaluated after each epoch (val_loss, val_accuracy).
    verbose: 0 silent, 1 a progress bar per epoch and a line per epoch, 2 only the lines.
    lr_schedule: "constant" (the optimizer's lr throughout) or "cosine" (from lr down to 0).
    validation_name: how the epoch lines call the validation set ("val", or "test").
    An epoch's training loss and accuracy are averages over its batches, measured during the
    forward passes (before each batch's update), as Keras reports them.
    """
    epochs = _check_positive_int("epochs", epochs)
    batch_size = _check_positive_int("batch_size", batch_size)
    model.check_input(X, y)
    if len(X) == 0:
        raise DigitnetError("no training samples")
    if validation_data is not None:
        model.check_input(*validation_data)
    optimizer = optimizer if optimizer is not None else Adam()
    base_lr = optimizer.lr
    learning_rate(lr_schedule, base_lr, 0, 1)  # an unknown schedule fails before any work
    steps_per_epoch = math.ceil(len(X) / batch_size)
    history = History()
    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()

            def lr_at(batch: int, epoch=epoch) -> float:
                step = (epoch - 1) * steps_per_epoch + batch
                return learning_rate(lr_schedule, base_lr, step, epochs * steps_per_epoch)

            metrics = train_epoch(
                model,
                X,
                y,
                batch_size,
                optimizer,
                lr_at,
                shuffle,
                f"epoch {epoch}/{epochs}",
                progress_bar=verbose == 1,
            )
            if validation_data is not None:
                with _diverged_if_overflow(f"the end of epoch {epoch}", optimizer.lr):
                    val = model.evaluate(*validation_data)
                metrics.update(val_loss=val["loss"], val_accuracy=val["accuracy"])
            metrics["seconds"] = time.perf_counter() - start
            history.append(epoch, **metrics)
            if verbose:
                print(_epoch_line(epoch, epochs, metrics, validation_name), flush=True)
    except DivergenceError as error:
        hint = f"try a smaller learning rate than {base_lr:g}, e.g. {base_lr / 10:g}"
        raise DivergenceError(f"{error}; {hint}") from None
    finally:
        optimizer.lr = base_lr  # the schedule changed it step by step
    return history


def train_epoch(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    optimizer,
    lr_at,
    shuffle: bool = True,
    epoch_label: str = "epoch",
    progress_bar: bool = False,
) -> dict[str, float]:
    """One pass over (X, y) in shuffled mini-batches; returns the epoch's loss and accuracy.

    lr_at(batch) gives the learning rate for each batch (0-based); epoch_label names the epoch
    in the progress bar (drawn on stderr if progress_bar) and in errors.
    """
    params, grads = model.parameters(), model.gradients()
    n = len(X)
    order = model.rng.permutation(n) if shuffle else np.arange(n)
    progress = _progress_bar(n, epoch_label) if progress_bar else None
    loss_sum, correct = 0.0, 0
    try:
        for batch, first in enumerate(range(0, n, batch_size)):
            indices = order[first : first + batch_size]
            x, labels = as_input(X[indices], model.dtype), y[indices]
            optimizer.lr = lr_at(batch)

            with _diverged_if_overflow(f"{epoch_label}, batch {batch + 1}", optimizer.lr):
                logits = model.forward(x, training=True)
                loss = model.loss.forward(logits, labels)
                model.backward(model.loss.backward())
                optimizer.step(params, grads)
            loss_sum += loss * len(labels)
            correct += int((logits.argmax(axis=1) == labels).sum())

            if not math.isfinite(loss):
                where = f"{epoch_label}, batch {batch + 1}"
                raise DivergenceError(
                    _divergence_message(f"the loss became {loss}", where, optimizer.lr)
                )
            if progress is not None:
                progress.update(len(indices))
    finally:
        if progress is not None:
            progress.close()
    if not all(np.isfinite(p).all() for p in params):
        raise DivergenceError(
            _divergence_message("the weights became non-finite", epoch_label, optimizer.lr)
        )
    return {"loss": loss_sum / n, "accuracy": correct / n}


def _divergence_message(what: str, where: str, lr: float) -> str:
    return f"training diverged: {what} at {where} (learning rate {lr:g})"


@contextlib.contextmanager
def _diverged_if_overflow(where: str, lr: float):
    """Turn NumPy overflow and NaN into a DivergenceError: here they mean diverging weights."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield
    except FloatingPointError as error:
        raise DivergenceError(_divergence_message(f"numeric {error}", where, lr)) from None


def _progress_bar(n: int, label: str):
    from tqdm import tqdm

    return tqdm(
        total=n,
        desc=label,
        unit="img",
        unit_scale=True,
        leave=False,
        file=sys.stderr,
        mininterval=0.2,
        dynamic_ncols=True,
    )


def _epoch_line(epoch: int, epochs: int, metrics: dict[str, float], val_name: str) -> str:
    width = len(str(epochs))
    line = (
        f"epoch {epoch:>{width}}/{epochs}  loss {metrics['loss']:.4f}  "
        f"accuracy {metrics['accuracy']:.4f}"
    )
    if "val_loss" in metrics:
        line += (
            f"  {val_name}_loss {metrics['val_loss']:.4f}  "
            f"{val_name}_accuracy {metrics['val_accuracy']:.4f}"
        )
    return line + f"  {metrics['seconds']:.2f}s"
