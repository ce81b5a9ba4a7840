"""The training loop: mini-batch gradient descent over shuffled epochs.

Each step is five visible lines: forward, loss, backward, optimizer step, record.
Full-batch gradient descent is the special case batch_size = len(X).
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Iterator

import numpy as np

from ..data.augment import augment_batch
from ..errors import DigitnetError, DivergenceError
from ..model import MLP, as_input
from ..nn.buffers import Buffers
from ..optim.optimizers import Adam
from ..optim.schedules import learning_rate
from .diagnostics import LearningMonitor
from .history import History

# Cross-entropy starts near ln 10 = 2.3. The softmax is computed stably, so blown-up weights
# need not make the loss infinite: a batch whose mean loss passes 1000 gives its right digits
# probabilities like e^-1000, which only happens once training has diverged.
DIVERGED_LOSS = 1000.0


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
    warmup_epochs: float = 0.0,
    validation_name: str = "val",
    initial_epoch: int = 0,
    on_epoch_end=None,
    augment=None,
    early_stopping: int | None = None,
) -> History:
    """Train `model` on images X (uint8 0-255 or floats in [0, 1]) and integer labels y.

    optimizer: an SGD or Adam instance (default Adam(lr=0.001)).
    validation_data: (X_val, y_val), evaluated after each epoch (val_loss, val_accuracy).
    verbose: 0 silent, 1 a progress bar per epoch and a line per epoch, 2 only the lines.
        Verbose runs also measure the hidden units and, after an epoch where the network is
        barely learning, print a line saying what was measured and the likely cause
        (digitnet.diagnostics).
    lr_schedule: "constant" (the optimizer's lr throughout) or "cosine" (from lr down to 0).
    warmup_epochs: ramp the learning rate up linearly over this many epochs first (may be < 1).
    validation_name: how the epoch lines call the validation set ("val", or "test").
    initial_epoch: epochs already done (as Keras): resuming a run continues its schedule there.
    on_epoch_end: called as on_epoch_end(epoch, metrics) after each epoch (e.g. to write a
        checkpoint); if it returns True, training stops after that epoch.
    augment: an augment.Augmentation: every training batch is randomly distorted anew.
    early_stopping: stop when val_loss has not improved for this many epochs, and restore the
        weights of the best epoch (needs validation_data, which must not be the test set).
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
    if early_stopping is not None:
        early_stopping = _check_positive_int("early_stopping", early_stopping)
        if validation_data is None:
            raise DigitnetError("early stopping needs validation data (a validation split)")
    optimizer = optimizer if optimizer is not None else Adam()
    base_lr = optimizer.lr
    steps_per_epoch = math.ceil(len(X) / batch_size)
    total_steps = epochs * steps_per_epoch
    if not 0 <= warmup_epochs <= epochs:
        raise DigitnetError(f"warmup_epochs must be between 0 and epochs, got {warmup_epochs}")
    warmup_steps = round(warmup_epochs * steps_per_epoch)
    learning_rate(lr_schedule, base_lr, 0, total_steps)  # an unknown schedule fails here
    if not 0 <= initial_epoch <= epochs:
        raise DigitnetError(f"initial_epoch must be between 0 and {epochs}, got {initial_epoch}")
    history = History()
    best = _BestEpoch()
    monitor = LearningMonitor(model, optimizer, steps_per_epoch) if verbose else None
    try:
        for epoch in range(initial_epoch + 1, epochs + 1):
            start = time.perf_counter()
            label = f"epoch {epoch}/{epochs}"
            first_step = (epoch - 1) * steps_per_epoch
            rates = [
                learning_rate(lr_schedule, base_lr, first_step + i, total_steps, warmup_steps)
                for i in range(steps_per_epoch)
            ]
            order = model.rng.permutation(len(X)) if shuffle else np.arange(len(X))
            augment_timer = [0.0]
            batches = iterate_batches(
                X, y, order, batch_size, model.dtype, augment, model.rng, augment_timer
            )
            with _progress_bar(len(X), label, enabled=verbose == 1) as progress:
                metrics = train_epoch(model, batches, optimizer, rates, label, progress, monitor)
            metrics["images_per_second"] = len(X) / (time.perf_counter() - start)
            if augment is not None:
                metrics["augment_seconds"] = augment_timer[0]
            if validation_data is not None:
                with _diverged_if_overflow(f"the end of {label}", optimizer.lr):
                    val = model.evaluate(*validation_data)
                metrics.update(val_loss=val["loss"], val_accuracy=val["accuracy"])
            metrics["seconds"] = time.perf_counter() - start
            history.append(epoch, **metrics)
            if verbose:
                print(_epoch_line(epoch, epochs, metrics, validation_name), flush=True)
                hint = monitor.end_epoch(epoch, metrics)  # when the network is not learning
                if hint is not None:
                    print(hint, flush=True)
            if on_epoch_end is not None and on_epoch_end(epoch, metrics):
                break
            if early_stopping is not None and best.stop(model, epoch, metrics, early_stopping):
                if verbose:
                    print(
                        f"early stopping: val_loss has not improved for {early_stopping} "
                        f"epochs; keeping the weights of epoch {best.epoch}"
                    )
                break
        if early_stopping is not None and best.weights is not None:
            model.flat_params[...] = best.weights  # the best epoch's weights, as Keras restores
    except DivergenceError as error:
        hint = f"try a smaller learning rate than {base_lr:g}, e.g. {base_lr / 10:g}"
        raise DivergenceError(f"{error}; {hint}") from None
    finally:
        optimizer.lr = base_lr  # the schedule changed it step by step
    return history


def iterate_batches(
    X: np.ndarray,
    y: np.ndarray,
    order: np.ndarray,
    batch_size: int,
    dtype: str,
    augment=None,
    rng: np.random.Generator | None = None,
    timer: list | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (x, labels) mini-batches in `order`, pixels converted to the model's dtype.

    The images stay in their compact form (uint8: 47 MB for MNIST) and each batch is converted
    into one reused float buffer, rather than holding a float copy of the whole set (188 MB).
    With `augment`, each batch is then randomly distorted (using `rng`); the seconds spent on
    that are added to timer[0].
    """
    buffers = Buffers()
    for first in range(0, len(X), batch_size):
        indices = order[first : first + batch_size]
        x = as_input(X[indices], dtype, out=buffers.get("x", (len(indices), X.shape[1]), dtype))
        if augment is not None:
            started = time.perf_counter()
            x = augment_batch(x, rng, augment)
            timer[0] += time.perf_counter() - started
        yield x, y[indices]


def train_epoch(
    model: MLP,
    batches,
    optimizer,
    learning_rates: list[float],
    label: str = "epoch",
    progress=None,
    monitor: LearningMonitor | None = None,
) -> dict[str, float]:
    """One pass over the batches; returns the epoch's mean loss and accuracy.

    learning_rates[i] is the step size for batch i; `label` names the epoch in errors;
    `progress` (a tqdm bar, or None) advances by each batch's size; `monitor` (or None)
    measures each batch's hidden outputs.
    """
    # All weights live in one flat array (model.parameters() are views into it): one update.
    params, grads = [model.flat_params], [model.flat_grads]
    loss_sum, correct, seen = 0.0, 0, 0
    for batch, (x, labels) in enumerate(batches):
        optimizer.lr = learning_rates[batch]
        where = f"{label}, batch {batch + 1}"
        hidden = [] if monitor is not None else None  # the hidden outputs, to measure

        with _diverged_if_overflow(where, optimizer.lr):
            logits = model.forward(x, training=True, hidden=hidden)
            if monitor is not None:  # before backward, while the outputs are this batch's
                monitor.record(hidden)
            loss = model.loss.forward(logits, labels)
            model.backward(model.loss.backward())
            optimizer.step(params, grads)
        loss_sum, correct, seen = _record(loss_sum, correct, seen, loss, logits, labels)

        if not math.isfinite(loss) or loss > DIVERGED_LOSS:
            what = f"the loss became {loss:.3g} (it starts near 2.3)"
            raise DivergenceError(_divergence_message(what, where, optimizer.lr))
        if progress is not None:
            progress.update(len(labels))
    if not all(np.isfinite(p).all() for p in params):
        raise DivergenceError(
            _divergence_message("the weights became non-finite", label, optimizer.lr)
        )
    return {"loss": loss_sum / seen, "accuracy": correct / seen}


def _record(
    loss_sum: float, correct: int, seen: int, loss: float, logits: np.ndarray, labels: np.ndarray
) -> tuple[float, int, int]:
    """Add one batch's summed loss, correct predictions and size to the epoch's totals."""
    hits = int((logits.argmax(axis=1) == labels).sum())
    return loss_sum + loss * len(labels), correct + hits, seen + len(labels)


class _BestEpoch:
    """Early stopping's memory: the lowest val_loss so far, its epoch and its weights."""

    def __init__(self) -> None:
        self.loss, self.epoch, self.weights = float("inf"), 0, None

    def stop(self, model: MLP, epoch: int, metrics: dict, patience: int) -> bool:
        """Record this epoch; True when `patience` epochs have passed without improvement."""
        if metrics["val_loss"] < self.loss:
            self.loss, self.epoch, self.weights = (
                metrics["val_loss"],
                epoch,
                model.flat_params.copy(),
            )
        return epoch - self.epoch >= patience


def _check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DigitnetError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


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


@contextlib.contextmanager
def _progress_bar(total: int, label: str, enabled: bool):
    """A tqdm bar on stderr that disappears when the epoch ends (None when not enabled)."""
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        desc=label,
        unit="img",
        unit_scale=True,
        leave=False,
        file=sys.stderr,
        mininterval=0.2,
        dynamic_ncols=True,
    )
    try:
        yield bar
    finally:
        bar.close()


def _epoch_line(epoch: int, epochs: int, metrics: dict[str, float], val_name: str) -> str:
    width = len(str(epochs))
    line = f"epoch {epoch:>{width}}/{epochs}  loss {metrics['loss']:.4f}  "
    line += f"accuracy {metrics['accuracy']:.4f}"
    if "val_loss" in metrics:
        line += f"  {val_name}_loss {metrics['val_loss']:.4f}"
        line += f"  {val_name}_accuracy {metrics['val_accuracy']:.4f}"
    line += f"  {metrics['seconds']:.2f}s  {metrics['images_per_second']:,.0f} img/s"
    if "augment_seconds" in metrics:
        line += f" (augmenting {metrics['augment_seconds'] / metrics['seconds']:.0%})"
    return line
