"""Why a network is not learning: what an epoch measured, and the one-line hint it suggests.

Part of training/: during verbose runs, fit calls the LearningMonitor callback, which measures
each batch's hidden outputs and, after each epoch line, prints the hint, if any. The rule itself
is not_learning_hint, a plain function of the measurements. Nothing here changes training, and
the history gets no new columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple, cast

import numpy as np

from ..optim import SGD, Adam
from .callbacks import Callback, RunState

# When to speak. A network that learns MNIST at all passes 80% accuracy in its first epoch and
# brings the loss far below ln C (2.30 for 10 classes, the loss of a uniform guess), so:
NEAR_CHANCE = 2.0  # accuracy below 2 / C (20% for digits; guessing gets 10%) ...
BARELY_MOVED = 0.01  # ... or the loss fell by less than 1% (relative) since the previous epoch
#   (the first epoch: since ln C) ...
HIGH_LOSS = 0.5  # ... while it is still above ln C / 2 (1.15): late in a healthy run the loss
#   also moves little or rises a bit, but it is then far lower (0.3 after one default epoch).
MIN_STEPS = 20  # judge only after 20 steps: before, an epoch's figures (averaged over its
#   batches, each measured before its update) are mostly those of the untrained network.

# What to blame, measured on the hidden layers over the epoch:
DEAD = 0.25  # a ReLU layer where 25% or more of the units never fired for any image (healthy
#   networks: a few percent); their gradient is zero, so they stay dead.
SATURATED = 0.5  # half of a sigmoid/tanh layer's outputs within 1% of its limits, where the
#   gradient y(1 - y) or 1 - y^2 is under 1/25 of its peak.
ROSE = 0.1  # the loss rose by 10% or more in an epoch: steps overshoot (a fresh network starts a
#   little above ln C, so the first epoch of a slow run may show a few percent up: not this).
SATURATION = {"sigmoid": (0.5, 0.49), "tanh": (0.0, 0.99)}  # |y - centre| > limit: saturated
RELU_LIKE = ("relu", "leaky_relu")

# Below these learning rates an optimizer moves the weights very little; what to try instead.
SMALL_LR = {
    "gd": (0.01, "plain gradient descent", "try --lr 0.1 or --optimizer adam"),
    "momentum": (0.002, "gradient descent with momentum", "try --lr 0.05"),
    "nesterov": (0.002, "gradient descent with Nesterov momentum", "try --lr 0.05"),
    "adam": (1e-4, "adam", "try --lr 0.001"),
}
ORDINALS = ("first", "second", "third", "fourth", "fifth")


class LayerActivity(NamedTuple):
    """One hidden layer over one epoch: the share of units that never fired (ReLU-like
    layers), or the share of outputs that were saturated (sigmoid, tanh); else None."""

    activation: str
    dead: float | None
    saturated: float | None


class UnitActivity:
    """Measures the hidden units batch by batch, with one cheap reduction per layer.

    ReLU-like layers keep each unit's largest output so far: it is > 0 iff the unit fired (for
    leaky ReLU too: its output is > 0 iff its input is). Sigmoid/tanh layers count the outputs
    near their limits.
    """

    def __init__(self, activations: list[str]) -> None:
        self.activations = list(activations)
        self.peaks: list[np.ndarray | None] = [None] * len(self.activations)  # (D,) per layer
        self.saturated = [0] * len(self.activations)
        self.outputs = [0] * len(self.activations)

    def record(self, hidden: list[np.ndarray]) -> None:
        """Add one batch: hidden[i] is hidden layer i's output after its activation (N, D)."""
        for i, (name, h) in enumerate(zip(self.activations, hidden)):
            if name in RELU_LIKE:
                # plain version: fired |= (h > 0).any(axis=0), with an (N, D) temporary
                peak = h.max(axis=0)  # (D,)
                if self.peaks[i] is None:
                    self.peaks[i] = peak
                else:
                    np.maximum(cast(np.ndarray, self.peaks[i]), peak, out=self.peaks[i])
            elif name in SATURATION:
                centre, limit = SATURATION[name]
                self.saturated[i] += int(np.count_nonzero(np.abs(h - centre) > limit))
            self.outputs[i] += h.size  # (an activation this module does not know: not measured)

    def summary(self) -> list[LayerActivity]:
        """Per hidden layer: the share of dead units or of saturated outputs."""
        layers = []
        for name, peak, saturated, outputs in zip(
            self.activations, self.peaks, self.saturated, self.outputs
        ):
            if name in RELU_LIKE:
                dead = None if peak is None else float(np.mean(peak <= 0))
                layers.append(LayerActivity(name, dead, None))
            elif name in SATURATION:
                layers.append(LayerActivity(name, None, saturated / outputs if outputs else None))
            else:
                layers.append(LayerActivity(name, None, None))
        return layers


class LearningMonitor(Callback):
    """Watches a verbose fit: measures the hidden units batch by batch, and after each epoch
    judges it with not_learning_hint, prints the hint if there is one, and starts afresh.
    say: what to do with a hint (default: print it; `digitnet compare` keeps the last)."""

    def __init__(self, say: Callable[[str], object] | None = None) -> None:
        self.say = say if say is not None else lambda hint: print(hint, flush=True)

    def on_train_begin(self, run: RunState) -> None:
        self.activations, self.n_classes = run.model.activation_names(), run.model.n_classes
        self.optimizer = optimizer_name(run.optimizer)
        self.lr = run.optimizer.lr  # the base learning rate, before any schedule
        self.steps_per_epoch = run.steps_per_epoch
        self.previous_loss: float | None = None
        self.activity = UnitActivity(self.activations)

    def on_batch_end(self, batch: int, logs: dict) -> None:
        self.activity.record(logs["activations"])

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        hint = self.end_epoch(epoch, logs)
        if hint is not None:
            self.say(hint)

    def end_epoch(self, epoch: int, metrics: dict[str, float]) -> str | None:
        """The hint for the epoch just finished (or None)."""
        hint = not_learning_hint(
            epoch,
            epoch * self.steps_per_epoch,
            metrics["loss"],
            metrics["accuracy"],
            self.previous_loss,
            self.n_classes,
            self.optimizer,
            self.lr,
            self.activity.summary(),
        )
        self.previous_loss = metrics["loss"]
        self.activity = UnitActivity(self.activations)
        return hint


def optimizer_name(optimizer: object) -> str:
    """The CLI's name for an optimizer instance: gd, momentum, nesterov, adam (or its class)."""
    if isinstance(optimizer, Adam):
        return "adam"
    if isinstance(optimizer, SGD):
        return "nesterov" if optimizer.nesterov else "momentum" if optimizer.momentum else "gd"
    return type(optimizer).__name__


def not_learning_hint(
    epoch: int,
    steps: int,
    loss: float,
    accuracy: float,
    previous_loss: float | None,
    n_classes: int,
    optimizer: str,
    lr: float,
    layers: list[LayerActivity],
) -> str | None:
    """A one-line hint when an epoch shows a network that is not learning, else None.

    steps: optimizer steps taken so far, this epoch's included; loss, accuracy: this epoch's
    training figures; previous_loss: the previous epoch's (None for the first epoch of a fit:
    compared with chance, ln C); optimizer, lr: the CLI's name and the base learning rate;
    layers: UnitActivity.summary() of the epoch.
    """
    if steps < MIN_STEPS:
        return None
    chance_loss = math.log(n_classes)
    reference = chance_loss if previous_loss is None else previous_loss
    change = (loss - reference) / reference
    near_chance = accuracy < NEAR_CHANCE / n_classes
    stalled = loss > HIGH_LOSS * chance_loss and change > -BARELY_MOVED
    if not (near_chance or stalled):
        return None
    start = f"{reference:.2f}{' (chance)' if previous_loss is None else ''}"
    measured = (
        f"training loss {start} -> {loss:.2f} ({change:+.1%}), accuracy {accuracy:.0%} "
        f"(chance {1 / n_classes:.0%}) in epoch {epoch}"
    )
    cause = _cause(optimizer, lr, layers, change)
    return f"hint: {measured}: the network is barely learning; {cause}"


def _cause(optimizer: str, lr: float, layers: list[LayerActivity], change: float) -> str:
    """The likeliest reason, from what was measured: dead units, saturated units, a rising
    loss (lr too large), a small lr for the optimizer; else the usual suspects."""
    for i, layer in enumerate(layers):
        if layer.dead is not None and layer.dead >= DEAD:
            return (
                f"{layer.dead:.0%} of the {_ordinal(i)} hidden layer's units never fired this "
                f"epoch (dead ReLUs): steps too large pushed them below zero for every image, "
                f"where they get no gradient; lower --lr (now {lr:g})"
            )
    for i, layer in enumerate(layers):
        if layer.saturated is not None and layer.saturated >= SATURATED:
            return (
                f"{layer.saturated:.0%} of the {_ordinal(i)} hidden layer's {layer.activation} "
                f"outputs were saturated (near their limits, where the gradient vanishes): "
                f"lower --lr (now {lr:g}) or use --activation relu"
            )
    if change >= ROSE:
        return f"the loss rose: steps this large overshoot; lower --lr (now {lr:g})"
    if optimizer in SMALL_LR and lr < SMALL_LR[optimizer][0]:
        _, what, remedy = SMALL_LR[optimizer]
        return f"{what} at lr {lr:g} moves the weights very little: {remedy}"
    return (
        f"no dead or saturated units were measured: try a learning rate 10x larger or smaller "
        f"than {lr:g}, and check that the labels match the images"
    )


def _ordinal(index: int) -> str:
    return ORDINALS[index] if index < len(ORDINALS) else f"#{index + 1}"
