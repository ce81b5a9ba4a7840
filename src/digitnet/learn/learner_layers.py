"""A learner's functions inside digitnet's layers and loss: subclasses that share the layer's
parameters and settings, call the learner's forward and backward, and check what comes back.

Each is a subclass digitnet's plan does not know (parts.py swaps them in), so it gets images
(N, C, H, W) and runs on one thread. Errors in the learner's code become one DigitnetError
with their own traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import DigitnetError
from ..nn.activations import ReLU
from ..nn.conv import Conv2D
from ..nn.dense import Dense
from ..nn.dropout import Dropout
from ..nn.losses import SoftmaxCrossEntropy
from ..nn.pooling import MaxPool2D
from .exercise import returned
from .loader import LearnerError, NotWritten

Functions = dict[str, Callable[..., Any]]


def call(function: Callable[..., Any], *args: Any) -> Any:
    """The learner's function, its errors turned into one DigitnetError with their traceback."""
    try:
        return function(*args)
    except LearnerError as error:
        raise DigitnetError(f"your code raised while training:\n{error.report}") from None
    except NotWritten as missing:
        raise DigitnetError(f"your {missing.function} is not written yet") from None


def as_dtype(value: Any, like: np.ndarray, what: str) -> np.ndarray:
    """The learner's array in the network's dtype, checked to have the expected shape."""
    if value is None:
        raise DigitnetError(f"your {what} returned None: return the array")
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
