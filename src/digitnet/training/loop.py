"""The training loop: mini-batch gradient descent over shuffled epochs.

Each step is five visible lines: forward, loss, backward, optimizer step, record. Everything
around it (evaluation, progress, checkpoints, early stopping, the divergence guard) is a
callback (callbacks.py). Full-batch gradient descent is the special case batch_size = len(X).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from .. import checks
from ..data.augment import AUGMENTATIONS, Augmentation
from ..errors import DigitnetError, DivergenceError
from ..nn.network import Network
from ..nn.threads import blas_threads
from ..optim.adam import Adam
from ..optim.base import Optimizer
from ..optim.schedules import Schedule, learning_rate
from .batches import Batches
from .callbacks import (
    Callback,
    DivergenceGuard,
    EarlyStopping,
    EpochLogger,
    Evaluation,
    ProgressBar,
    RunState,
    Timer,
    divergence_message,
)
from .diagnostics import LearningMonitor
from .history import History
from .settings import DEFAULTS, RunSettings

# (params, grads, decay) as Network.block.groups gives them: what one optimizer step updates
ParameterGroups = tuple[list[np.ndarray], list[np.ndarray], list[bool]]


def fit(
    model: Network,
    X: np.ndarray,
    y: np.ndarray,
    epochs: int = DEFAULTS["epochs"],
    batch_size: int = DEFAULTS["batch_size"],
    optimizer: Optimizer | None = None,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    verbose: int = 1,
    callbacks: Sequence[Callback] = (),
    lr_schedule: str = DEFAULTS["schedule"],
    warmup_epochs: float = DEFAULTS["warmup_epochs"],
    augment: Augmentation | None = None,
    early_stopping: int | None = None,
    initial_epoch: int = 0,
    threads: int | None = None,
) -> History:
    """Train `model` on images X (uint8 0-255 or floats in [0, 1]) and integer labels y.

    epochs, batch_size: passes over the data, and images per step.
    optimizer: an SGD or Adam instance (default Adam(lr=0.001), as `digitnet train`).
    validation_data: (X_val, y_val), evaluated after each epoch (val_loss, val_accuracy).
    verbose: 0 silent, 1 a progress bar and a line per epoch, 2 only the lines; verbose runs
        also print a hint when the network is not learning (diagnostics.py).
    callbacks: more callbacks.Callback objects (e.g. your own on_epoch_end), called after the
        built-in ones; a History among them receives the epochs (else fit makes a new one).
    lr_schedule: "cosine" (from the optimizer's lr down to 0), "constant" or "step";
        warmup_epochs: ramp the learning rate up linearly over this many epochs first.
    augment: an augment.Augmentation: every training batch is randomly distorted anew.
    early_stopping: patience in epochs on val_loss (needs validation_data); the best epoch's
        weights are kept. The same as callbacks=[EarlyStopping(patience)].
    initial_epoch: epochs already done (as Keras): resuming a run continues its schedule there.
    threads: the threads that share each step (sets model.threads; by default the model's, the
        cores this process may use): each takes some of the batch's images (nn/parallel.py).
        For a given seed and thread count, every run gives the same bits.
    The defaults are `digitnet train`'s (training/settings.py). Each epoch visits the images in
    a new random order drawn from model.rng. An epoch's training loss and accuracy are averages
    over its batches, measured during the forward passes (before each batch's update), as Keras
    reports them.
    """
    epochs = checks.integer("epochs", epochs)
    batch_size = checks.integer("batch_size", batch_size)
    if threads is not None:
        model.threads = threads
    model.check_input(X, y)
    if len(X) == 0:
        raise DigitnetError("no training samples")
    if not 0 <= initial_epoch <= epochs:
        raise DigitnetError(f"initial_epoch must be between 0 and {epochs}, got {initial_epoch}")
    if not 0 <= warmup_epochs <= epochs:
        raise DigitnetError(f"warmup_epochs must be between 0 and epochs, got {warmup_epochs}")
    learning_rate(lr_schedule, 1.0, 0, 1)  # an unknown schedule fails here, before training
    optimizer = optimizer if optimizer is not None else Adam(DEFAULTS["lr"])
    run = RunState(model, optimizer, epochs, math.ceil(len(X) / batch_size), len(X))
    history = next((c for c in callbacks if isinstance(c, History)), History())
    everyone = _callbacks(model, history, validation_data, verbose, early_stopping, callbacks)
    schedule = Schedule(lr_schedule, optimizer.lr, epochs, run.steps_per_epoch, warmup_epochs)
    for callback in everyone:
        callback.on_train_begin(run)
    with blas_threads(model.blas_threads(batch_size)):  # (nn/threads.py says why)
        try:
            for epoch in range(initial_epoch + 1, epochs + 1):
                run.epoch = epoch
                for callback in everyone:
                    callback.on_epoch_begin(epoch)
                batches = Batches(X, y, model.rng.permutation(len(X)), batch_size, model, augment)
                with _diverged_if_overflow(run):
                    logs = train_epoch(
                        model, batches, optimizer, schedule.epoch(epoch), run, everyone
                    )
                    if augment is not None:
                        logs["augment_seconds"] = batches.augment_seconds
                    run.batch = 0
                    for callback in everyone:
                        callback.on_epoch_end(epoch, logs)
                if run.stop_training:
                    break
        except DivergenceError as error:
            lr = schedule.base_lr
            hint = f"try a smaller learning rate than {lr:g}, e.g. {lr / 10:g}"
            raise DivergenceError(f"{error}; {hint}") from None
        finally:
            optimizer.lr = schedule.base_lr  # train_epoch set it step by step
            for callback in everyone:
                callback.on_train_end()
    return history


def fit_recipe(
    model: Network,
    X: np.ndarray,
    y: np.ndarray,
    settings: RunSettings,
    optimizer: Optimizer,
    **options: Any,
) -> History:
    """fit with a run's recipe, as `digitnet train`, `compare` and the page give it: the
    settings' epochs, batch size, schedule, warm-up, distortions and threads; `options` are the
    rest of fit's keywords (validation_data, callbacks, verbose, initial_epoch)."""
    return fit(
        model,
        X,
        y,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        optimizer=optimizer,
        lr_schedule=settings.schedule,
        warmup_epochs=settings.warmup_epochs,
        augment=AUGMENTATIONS.get(settings.augment),
        threads=settings.threads,
        **options,
    )


def _callbacks(
    model: Network,
    history: History,
    validation_data: tuple[np.ndarray, np.ndarray] | None,
    verbose: int,
    early_stopping: int | None,
    extra: Sequence[Callback],
) -> list[Callback]:
    """Every callback of a run, in the order they are called: the divergence guard, the
    evaluation, the timer (after evaluating), the history, what verbose shows, the caller's
    own, then early stopping (as callbacks=[..., EarlyStopping(patience)] would place it)."""
    everyone: list[Callback] = [DivergenceGuard()]
    if validation_data is not None:
        model.check_input(*validation_data)
        everyone.append(Evaluation(*validation_data))
    elif early_stopping is not None:
        raise DigitnetError("early stopping needs validation data (a validation split)")
    everyone += [Timer(), history, *default_callbacks(verbose)]
    everyone += [c for c in extra if c is not history]
    if early_stopping is not None:  # last: the caller's callbacks see the epoch as it ended
        everyone.append(EarlyStopping(early_stopping, verbose=bool(verbose)))
    return everyone


def default_callbacks(verbose: int, validation_name: str = "val") -> list[Callback]:
    """What `verbose` shows: 1 a progress bar, the epoch lines and the not-learning hint;
    2 the lines and the hint; 0 nothing."""
    if not verbose:
        return []
    shown: list[Callback] = [ProgressBar()] if verbose == 1 else []
    return [*shown, EpochLogger(validation_name), LearningMonitor()]


def train_epoch(
    model: Network,
    batches: Iterable[tuple[np.ndarray, np.ndarray]],
    optimizer: Optimizer,
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
    optimizer: Optimizer,
    groups: ParameterGroups,
    activations: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, float]:
    """One step of gradient descent on the batch (x, labels): forward, loss, backward, update.

    groups: model.block.groups(...), the parameters, their gradients and which are decayed.
    activations: if a list, each activation layer's output is appended to it (for callbacks);
        on several threads, the outputs for the first thread's share of the batch.
    Returns the batch's logits (before the update) and its mean loss."""
    params, grads, decay = groups
    parallel = model.parallel  # None: one thread
    if parallel is None:
        logits = model.forward(x, training=True, activations=activations)
        loss = model.loss.forward(logits, labels)
        model.backward(model.loss.backward())
        optimizer.step(params, grads, decay)
    else:  # the same four lines, each thread on its share of the batch, then of the weights
        logits, loss = parallel.train_step(x, labels, activations, optimizer, groups)
    return logits, loss


@contextlib.contextmanager
def _diverged_if_overflow(run: RunState) -> Iterator[None]:
    """Turn NumPy overflow and NaN into a DivergenceError: here they mean diverging weights."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield
    except FloatingPointError as error:
        what = f"numeric {error}"
        raise DivergenceError(divergence_message(what, run.where, run.optimizer.lr)) from None
