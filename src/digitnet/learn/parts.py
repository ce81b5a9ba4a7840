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
from ..nn.losses import SoftmaxCrossEntropy
from ..nn.network import Network
from ..nn.pooling import MaxPool2D
from ..optim.adam import Adam
from ..optim.base import Optimizer
from ..optim.sgd import SGD
from .catalogue import EXERCISES
from .exercise import Result, returned
from .folder import check_file
from .loader import LearnerError, functions_of, load

Functions = dict[str, Callable[..., Any]]


@dataclass
class Parts:
    """The functions a learner has written (by name) and the check of each exercise written."""

    folder: Path
    functions: Functions = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)

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


def call(function: Callable[..., Any], *args: Any) -> Any:
    """The learner's function, its errors turned into one DigitnetError with their traceback."""
    try:
        return function(*args)
    except LearnerError as error:
        raise DigitnetError(f"your code raised while training:\n{error.report}") from None


def as_dtype(value: Any, like: np.ndarray, what: str) -> np.ndarray:
    """The learner's array in the network's dtype, checked to have the expected shape."""
    array = np.asarray(value, dtype=like.dtype)
    if array.shape != like.shape:
        raise DigitnetError(f"your {what} returned shape {array.shape}, expected {like.shape}")
    return array


class LearnersLayer:
    """Marks a layer that runs the learner's functions (describe_network says "yours")."""

    parts: Functions


class LearnerReLU(LearnersLayer, ReLU):
    """ReLU through the learner's relu and relu_backward."""

    keeps_output = False  # backward reads the input: the plan may not overwrite it in place
    parts: Functions

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x if training else None
        y = call(self.parts["relu"], x)
        return as_dtype(y, x, "relu")

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = the learner's relu_backward(x, grad_out)   (x's shape)
        dx = call(self.parts["relu_backward"], self._x, grad_out)
        return as_dtype(dx, grad_out, "relu_backward")


class LearnerDense(LearnersLayer, Dense):
    """A dense layer through the learner's dense_forward and dense_backward."""

    parts: Functions

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x if training else None
        W, b = self.params["W"], self.params["b"]
        z = call(self.parts["dense_forward"], x, W, b)
        return as_dtype(z, np.empty((len(x), W.shape[1]), W.dtype), "dense_forward")

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        W = self.params["W"]
        value = call(self.parts["dense_backward"], self._x, W, grad_out)
        dx, dW, db = call(returned, value, 3, "dense_backward")
        # grads are views into the network's one block of gradients: fill them, do not rebind
        self.grads["W"][...] = as_dtype(dW, W, "dense_backward's dW")  # (D_in, D_out)
        self.grads["b"][...] = as_dtype(db, self.params["b"], "dense_backward's db")  # (D_out,)
        assert self._x is not None
        return as_dtype(dx, self._x, "dense_backward's dx")  # (N, D_in)


class LearnerConv2D(LearnersLayer, Conv2D):
    """A convolution through the learner's forward (im2col or loops) and conv2d_backward."""

    converts_layout = False
    parts: Functions
    forward_name: str  # "conv2d_im2col" or "conv2d_loops"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x if training else None
        W, b = self.params["W"], self.params["b"]
        z = call(self.parts[self.forward_name], x, W, b, self.stride, self.padding)
        shape = (len(x), *self.output_shape(x.shape[1:]))
        return as_dtype(z, np.empty(shape, W.dtype), self.forward_name)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        W, x = self.params["W"], self._x
        assert x is not None
        value = call(self.parts["conv2d_backward"], x, W, grad_out, self.stride, self.padding)
        dx, dW, db = call(returned, value, 3, "conv2d_backward")
        self.grads["W"][...] = as_dtype(dW, W, "conv2d_backward's dW")  # (C_out, C_in, k, k)
        self.grads["b"][...] = as_dtype(db, self.params["b"], "conv2d_backward's db")  # (C_out,)
        return as_dtype(dx, x, "conv2d_backward's dx")  # (N, C_in, H, W)


class LearnerMaxPool2D(LearnersLayer, MaxPool2D):
    """Max-pooling through the learner's maxpool2d and maxpool2d_backward."""

    converts_layout = False
    parts: Functions

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x if training else None
        y = call(self.parts["maxpool2d"], x, self.kernel_size, self.stride)
        shape = (len(x), *self.output_shape(x.shape[1:]))
        return as_dtype(y, np.empty(shape, x.dtype), "maxpool2d")

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        assert self._x is not None
        dx = call(
            self.parts["maxpool2d_backward"], self._x, grad_out, self.kernel_size, self.stride
        )
        return as_dtype(dx, self._x, "maxpool2d_backward")  # (N, C, H, W)


class LearnerDropout(LearnersLayer, Dropout):
    """Dropout through the learner's dropout_forward and dropout_backward (training only)."""

    passes_input_through = False
    parts: Functions

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0:
            self._cache = None
            return x.copy()
        assert self.rng is not None
        value = call(self.parts["dropout_forward"], x, self.rate, self.rng)
        y, self._cache = call(returned, value, 2, "dropout_forward")
        return as_dtype(y, x, "dropout_forward")

    def backward(self, grad_out: np.ndarray | None) -> np.ndarray | None:
        if grad_out is None or self._cache is None:
            return grad_out
        dx = call(self.parts["dropout_backward"], grad_out, self._cache)
        return as_dtype(dx, grad_out, "dropout_backward")


class LearnerLoss(SoftmaxCrossEntropy):
    """Softmax with cross-entropy through the learner's softmax_cross_entropy."""

    def __init__(self, function: Callable[..., Any]) -> None:
        super().__init__()
        self.function = function

    def forward(self, logits: np.ndarray, labels: np.ndarray) -> float:
        value = call(self.function, logits, labels)
        loss, grad = call(returned, value, 2, "softmax_cross_entropy")
        self._grad = as_dtype(grad, logits, "softmax_cross_entropy's gradient")
        return float(loss)

    def backward(self, batch_size: int | None = None) -> np.ndarray:
        # dL/dlogits as the learner computed it   (N, C)
        return self._grad


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
