"""The training loop: mini-batch gradient descent over shuffled epochs.

Each step is five visible lines: forward, loss, backward, optimizer step, record. Everything
around it (evaluation, progress, checkpoints, early stopping, the divergence guard) is a
callback (callbacks.py). Full-batch gradient descent is the special case batch_size = len(X).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..data.augment import Augmentation, augment_batch
from ..errors import DigitnetError, DivergenceError
from ..nn.buffers import Buffers
from ..nn.inputs import as_input
from ..nn.network import Network
from ..optim.adam import Adam
from ..optim.schedules import learning_rate
from .callbacks import (
    Callback,
    DivergenceGuard,
    EpochLogger,
    Evaluation,
    ProgressBar,
    RunState,
    Timer,
    divergence_message,
)
from .diagnostics import LearningMonitor
from .history import History

if TYPE_CHECKING:
    from ..optim.sgd import SGD

# (params, grads, decay) as Network.block.groups gives them: what one optimizer step updates
ParameterGroups = tuple[list[np.ndarray], list[np.ndarray], list[bool]]


def fit(
    model: Network,
    X: np.ndarray,
    y: np.ndarray,
    epochs: int = 10,
    batch_size: int = 128,
    optimizer: SGD | Adam | None = None,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    verbose: int = 1,
    callbacks: Sequence[Callback] = (),
    lr_schedule: str = "constant",
    warmup_epochs: float = 0.0,
    augment: Augmentation | None = None,
    initial_epoch: int = 0,
) -> History:
    """Train `model` on images X (uint8 0-255 or floats in [0, 1]) and integer labels y.

    optimizer: an SGD or Adam instance (default Adam(lr=0.001)).
    validation_data: (X_val, y_val), evaluated after each epoch (val_loss, val_accuracy).
    verbose: 0 silent, 1 a progress bar and a line per epoch, 2 only the lines; verbose runs
        also print a hint when the network is not learning (diagnostics.py).
    callbacks: more callbacks.Callback objects (e.g. EarlyStopping), called after the built-in
        ones; a History among them receives the epochs (else fit makes a new one).
    lr_schedule: "constant" (the optimizer's lr throughout), "cosine" (from lr down to 0) or
        "step"; warmup_epochs: ramp the learning rate up linearly over this many epochs first.
    augment: an augment.Augmentation: every training batch is randomly distorted anew.
    initial_epoch: epochs already done (as Keras): resuming a run continues its schedule there.
    Each epoch visits the images in a new random order drawn from model.rng. An epoch's
    training loss and accuracy are averages over its batches, measured during the forward
    passes (before each batch's update), as Keras reports them.
    """
    epochs = _positive_int("epochs", epochs)
    batch_size = _positive_int("batch_size", batch_size)
    model.check_input(X, y)
    if len(X) == 0:
        raise DigitnetError("no training samples")
    if not 0 <= initial_epoch <= epochs:
        raise DigitnetError(f"initial_epoch must be between 0 and {epochs}, got {initial_epoch}")
    if not 0 <= warmup_epochs <= epochs:
        raise DigitnetError(f"warmup_epochs must be between 0 and epochs, got {warmup_epochs}")
    learning_rate(lr_schedule, 1.0, 0, 1)  # an unknown schedule fails here, before training
    optimizer = optimizer if optimizer is not None else Adam()
    run = RunState(model, optimizer, epochs, math.ceil(len(X) / batch_size), len(X))
    history = next((c for c in callbacks if isinstance(c, History)), History())
    everyone: list[Callback] = [DivergenceGuard()]
    if validation_data is not None:
        model.check_input(*validation_data)
        everyone.append(Evaluation(*validation_data))
    everyone += [Timer(), history, *default_callbacks(verbose)]  # Timer: after evaluating
    everyone += [c for c in callbacks if c is not history]
    base_lr = optimizer.lr
    total_steps = epochs * run.steps_per_epoch
    warmup_steps = round(warmup_epochs * run.steps_per_epoch)
    for callback in everyone:
        callback.on_train_begin(run)
    try:
        for epoch in range(initial_epoch + 1, epochs + 1):
            run.epoch = epoch
            for callback in everyone:
                callback.on_epoch_begin(epoch)
            first_step = (epoch - 1) * run.steps_per_epoch
            rates = [
                learning_rate(lr_schedule, base_lr, first_step + i, total_steps, warmup_steps)
                for i in range(run.steps_per_epoch)
            ]
            order = model.rng.permutation(len(X))
            timer = [0.0]  # seconds spent augmenting
            batches = iterate_batches(X, y, order, batch_size, model, augment, timer)
            with _diverged_if_overflow(run):
                logs = train_epoch(model, batches, optimizer, rates, run, everyone)
                if augment is not None:
                    logs["augment_seconds"] = timer[0]
                run.batch = 0
                for callback in everyone:
                    callback.on_epoch_end(epoch, logs)
            if run.stop_training:
                break
    except DivergenceError as error:
        hint = f"try a smaller learning rate than {base_lr:g}, e.g. {base_lr / 10:g}"
        raise DivergenceError(f"{error}; {hint}") from None
    finally:
        optimizer.lr = base_lr  # the schedule changed it step by step
        for callback in everyone:
            callback.on_train_end()
    return history


def default_callbacks(verbose: int, validation_name: str = "val") -> list[Callback]:
    """What `verbose` shows: 1 a progress bar, the epoch lines and the not-learning hint;
    2 the lines and the hint; 0 nothing."""
    if not verbose:
        return []
    shown: list[Callback] = [ProgressBar()] if verbose == 1 else []
    return [*shown, EpochLogger(validation_name), LearningMonitor()]


def train_epoch(
    model: Network,
    batches: Iterator[tuple[np.ndarray, np.ndarray]],
    optimizer: SGD | Adam,
    learning_rates: list[float],
    run: RunState,
    callbacks: Sequence[Callback] = (),
) -> dict[str, float]:
    """One pass over the batches; returns the epoch's mean loss and accuracy, and images/s.

    learning_rates[i] is the step size for batch i; each callback's on_batch_end is called
    after each step."""
    start = time.perf_counter()
    # All weights live in one flat array (the layers' params are views into it): one update
    # per group (decayed tensors, and the rest when weight decay is on).
    groups = model.block.groups(optimizer.weight_decay > 0)
    loss_sum, correct, seen = 0.0, 0, 0
    for batch, (x, labels) in enumerate(batches):
        optimizer.lr = learning_rates[batch] * run.lr_scale
        run.batch = batch + 1  # (an int: the message is only built if something fails)
        activations: list[np.ndarray] = []  # each activation layer's output, for callbacks
        logits, loss = train_step(model, x, labels, optimizer, groups, activations)
        hits = int((logits.argmax(axis=1) == labels).sum())
        loss_sum, correct, seen = loss_sum + loss * len(labels), correct + hits, seen + len(labels)

        logs = {"loss": loss, "size": len(labels), "correct": hits, "activations": activations}
        for callback in callbacks:
            callback.on_batch_end(batch, logs)
    metrics = {"loss": loss_sum / seen, "accuracy": correct / seen}
    metrics["images_per_second"] = seen / (time.perf_counter() - start)
    return metrics


def train_step(
    model: Network,
    x: np.ndarray,
    labels: np.ndarray,
    optimizer: SGD | Adam,
    groups: ParameterGroups,
    activations: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, float]:
    """One step of gradient descent on the batch (x, labels): forward, loss, backward, update.

    groups: model.block.groups(...), the parameters, their gradients and which are decayed.
    activations: if a list, each activation layer's output is appended to it (for callbacks).
    Returns the batch's logits (before the update) and its mean loss."""
    params, grads, decay = groups
    logits = model.forward(x, training=True, activations=activations)
    loss = model.loss.forward(logits, labels)
    model.backward(model.loss.backward())
    optimizer.step(params, grads, decay)
    return logits, loss


def iterate_batches(
    X: np.ndarray,
    y: np.ndarray,
    order: np.ndarray,
    batch_size: int,
    model: Network,
    augment: Augmentation | None = None,
    timer: list[float] | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (x, labels) mini-batches in `order`, pixels converted to the model's dtype and
    input shape.

    The images stay in their compact form (uint8: 47 MB for MNIST) and each batch is converted
    into one reused float buffer, rather than holding a float copy of the whole set (188 MB).
    With `augment`, each batch is then randomly distorted (with model.rng); the seconds spent on
    that are added to timer[0].
    """
    buffers = Buffers()
    for first in range(0, len(X), batch_size):
        indices = order[first : first + batch_size]
        images = X[indices].reshape(len(indices), *model.input_shape)
        x = as_input(images, model.dtype, out=buffers.get("x", images.shape, model.dtype))
        if augment is not None:
            started = time.perf_counter()
            x = augment_batch(x, model.rng, augment)
            if timer is not None:
                timer[0] += time.perf_counter() - started
        yield x, y[indices]


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DigitnetError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


@contextlib.contextmanager
def _diverged_if_overflow(run: RunState) -> Iterator[None]:
    """Turn NumPy overflow and NaN into a DivergenceError: here they mean diverging weights."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield
    except FloatingPointError as error:
        what = f"numeric {error}"
        raise DivergenceError(divergence_message(what, run.where, run.optimizer.lr)) from None
