"""Training with a learner's parts: their functions inside digitnet's layers, loss and optimizer.

Every exercise written in the learner's folder replaces what it stands for: their ReLU, dense,
convolution (forward by im2col or loops, with their backward), max-pooling and dropout in the
layers of those types, their softmax with cross-entropy as the loss, their He initialisation for
the dense weights before a ReLU, their gradient descent, momentum or Adam step as the optimizer
of that kind. A learner's layer is a subclass of digitnet's (the model file is the same) that
digitnet's plan does not know, so it gets images (N, C, H, W) and runs on one thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DigitnetError
from ..nn.activations import ReLU
from ..nn.conv import Conv2D
from ..nn.dense import Dense
from ..nn.dropout import Dropout
from ..nn.layer import Layer
from ..nn.network import Network
from ..nn.pooling import MaxPool2D
from ..optim.adam import Adam
from ..optim.base import Optimizer
from ..optim.sgd import SGD
from .catalogue import EXERCISES
from .exercise import Result
from .folder import check_file
from .learner_layers import (
    Functions,
    LearnerConv2D,
    LearnerDense,
    LearnerDropout,
    LearnerLoss,
    LearnerMaxPool2D,
    LearnerReLU,
    as_dtype,
    call,
)
from .loader import LearnerError, functions_of, load


@dataclass
class Parts:
    """The functions a learner has written (by name) and the check of each exercise written."""

    folder: Path
    functions: Functions = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)

    def checks(self) -> str:
        """How each exercise written stands: "relu passing, dense failing"."""
        return ", ".join(f"{r.exercise.name} {r.status}" for r in self.results)

    def has(self, *names: str) -> bool:
        """Whether every one of these functions is the learner's."""
        return all(name in self.functions for name in names)


def load_parts(folder: str | Path) -> Parts:
    """Every exercise written in `folder`, checked; DigitnetError if the folder has none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DigitnetError(f"--parts {folder}: no such folder (digitnet learn start {folder})")
    parts = Parts(folder)
    for item in EXERCISES:
        result = check_file(item, folder)
        if result.status == "not written":
            continue
        path = folder / item.file
        try:
            parts.functions |= functions_of(load(path), item.functions, path)
        except LearnerError as error:
            raise DigitnetError(f"--parts: {path} cannot be used:\n{error.report}") from None
        parts.results.append(result)
    if not parts.results:
        raise DigitnetError(f"--parts {folder}: no exercise is written there yet")
    return parts


# The layers a learner's parts replace: digitnet's type, the learner's, the functions it needs.
LAYER_PARTS: tuple[tuple[type[Layer], type[Layer], tuple[str, ...]], ...] = (
    (ReLU, LearnerReLU, ("relu", "relu_backward")),
    (Dense, LearnerDense, ("dense_forward", "dense_backward")),
    (MaxPool2D, LearnerMaxPool2D, ("maxpool2d", "maxpool2d_backward")),
    (Dropout, LearnerDropout, ("dropout_forward", "dropout_backward")),
)


def learner_layer(layer: Layer, parts: Parts) -> Layer | None:
    """The learner's version of `layer` (sharing its parameters), or None if they have none."""
    cls: type[Layer] | None = None
    if type(layer) is Conv2D and parts.has("conv2d_backward"):
        for name in ("conv2d_im2col", "conv2d_loops"):
            if parts.has(name):
                cls = LearnerConv2D
                break
    for theirs_of, learner_cls, needed in LAYER_PARTS:
        if type(layer) is theirs_of and parts.has(*needed):
            cls = learner_cls
    if cls is None:
        return None
    swapped = cls.__new__(cls)
    swapped.__dict__.update(layer.__dict__)  # the same params, grads and settings
    swapped.parts = parts.functions  # type: ignore[attr-defined]  # (a LearnersLayer's)
    if isinstance(swapped, LearnerConv2D):
        swapped.forward_name = name
    return swapped


def he_weights(model: Network, parts: Parts, seed: int) -> int:
    """Draw the weights of every dense layer before a ReLU with the learner's he_normal (from
    a generator seeded with `seed`); the number of layers drawn."""
    rng = np.random.default_rng(seed)
    drawn = 0
    for layer, after in zip(model.layers, model.layers[1:]):
        if isinstance(layer, Dense) and isinstance(after, ReLU):
            W = layer.params["W"]
            value = call(parts.functions["he_normal"], *W.shape, rng)
            W[...] = as_dtype(value, W, "he_normal")
            drawn += 1
    return drawn


def use_parts(model: Network, parts: Parts, draw_weights: bool = True) -> list[str]:
    """Put the learner's parts into `model` (on one thread); what was replaced, in words.
    draw_weights: a fresh model's dense weights before a ReLU come from the learner's
    he_normal, if written (not for a model that has trained weights)."""
    replaced = []
    if draw_weights and parts.has("he_normal"):
        drawn = he_weights(model, parts, model.seed)
        if drawn:
            replaced.append(f"he_init: the weights of {drawn} dense layer(s) before a ReLU")
    counts: dict[str, int] = {}
    for i, layer in enumerate(model.layers):
        swapped = learner_layer(layer, parts)
        if swapped is not None:
            model.layers[i] = swapped
            counts[type(layer).__name__] = counts.get(type(layer).__name__, 0) + 1
    replaced += [f"{count} {name} layer(s)" for name, count in counts.items()]
    if parts.has("softmax_cross_entropy"):
        model.loss = LearnerLoss(parts.functions["softmax_cross_entropy"])
        replaced.append("the loss (softmax_cross_entropy)")
    model._plan()  # the learner's layers get images (N, C, H, W)
    model.threads = 1
    return replaced


class LearnerOptimizer(Optimizer):
    """An optimizer step through the learner's sgd_step, momentum_step or adam_step."""

    def __init__(self, name: str, function: Callable[..., Any], like: SGD | Adam) -> None:
        super().__init__(like.lr, like.weight_decay)
        self.name, self.function, self.like = name, function, like
        self.state: list[list[np.ndarray]] = []
        self.t = 0

    def step(
        self, params: list[np.ndarray], grads: list[np.ndarray], decay: list[bool] | None = None
    ) -> None:
        """One step of the learner's rule (weight decay, if any, added to the gradients)."""
        decay = decay if decay is not None else [True] * len(params)
        if self.weight_decay and isinstance(self.like, Adam):  # decoupled, as digitnet's Adam
            for p, decayed in zip(params, decay):
                if decayed:
                    p *= 1 - self.lr * self.weight_decay
        elif self.weight_decay:  # the L2 penalty's gradient, as digitnet's SGD
            grads = [
                g + self.weight_decay * p if d else g for p, g, d in zip(params, grads, decay)
            ]
        if not self.state:
            self.state = [[np.zeros_like(p) for p in params] for _ in range(2)]
        self.t += 1
        if self.name == "sgd_step":
            call(self.function, params, grads, self.lr)
        elif self.name == "momentum_step":
            momentum = self.like.momentum  # type: ignore[union-attr]
            call(self.function, params, grads, self.state[0], self.lr, momentum)
        else:
            adam = self.like
            assert isinstance(adam, Adam)
            m, v = self.state
            call(self.function, params, grads, m, v, self.t, self.lr, adam.beta1, adam.beta2,
                 adam.eps)  # fmt: skip

    def state_dict(self) -> dict:
        """The learner's optimizer keeps no checkpoint (their state lists are theirs)."""
        return {"arrays": {}}

    def load_state_dict(self, state: dict, params: list[np.ndarray]) -> None:
        """Nothing to restore (see state_dict)."""


def learner_optimizer(optimizer: Optimizer, parts: Parts) -> Optimizer:
    """The learner's step of the same kind as `optimizer`, if they wrote it; else `optimizer`."""
    if isinstance(optimizer, SGD) and not optimizer.nesterov:
        name = "momentum_step" if optimizer.momentum else "sgd_step"
    elif isinstance(optimizer, Adam):
        name = "adam_step"
    else:
        return optimizer
    if not parts.has(name):
        return optimizer
    return LearnerOptimizer(name, parts.functions[name], optimizer)
