"""Layers with an explicit forward pass and an analytical backward pass.

Each layer has `params` and `grads`, dicts with the same keys ("W", "b"; empty for activations).
`forward(x, training)` keeps only what `backward` needs; `backward(grad_out)` returns dL/dx and
overwrites `self.grads`. Batches are rows: x has shape (N, D). Derivations: docs/backprop.md.
"""

from __future__ import annotations

import numpy as np

from .errors import DigitnetError
from .init import initializer


class Layer:
    """Base class: no parameters; subclasses implement forward and backward."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Compute the layer's output for a batch of rows."""
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Given dL/d(output), fill self.grads and return dL/dx."""
        raise NotImplementedError


class Dense(Layer):
    """Fully connected layer: z = x W + b.

    Gradients: dL/dW = x^T g, dL/db = sum over the batch of g, dL/dx = g W^T, with g = dL/dz.
    W is stored (D_in, D_out) so that a batch of rows multiplies from the left; PyTorch's
    nn.Linear stores the transpose, (D_out, D_in), and computes x W^T.

    Shape: x (N, D_in) -> z (N, D_out).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        rng: np.random.Generator,
        init: str = "he",
        dtype: str = "float32",
    ) -> None:
        super().__init__()
        W = initializer(init)(in_features, out_features, rng, dtype)
        self.params = {"W": W, "b": np.zeros(out_features, dtype=dtype)}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros(out_features, dtype=dtype)}
        self.needs_input_grad = True  # the model turns this off for the first layer
        self._x: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x if training else None
        z = x @ self.params["W"]
        z += self.params["b"]  # in place: one (N, D_out) array instead of two
        return z

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        x = self._x
        # dL/dW = x^T grad_out                 (D_in, D_out)
        np.matmul(x.T, grad_out, out=self.grads["W"])
        # dL/db = sum_n grad_out[n]            (D_out,)
        np.sum(grad_out, axis=0, out=self.grads["b"])
        if not self.needs_input_grad:
            return None  # the input is the data: nobody needs its gradient
        # dL/dx = grad_out W^T                 (N, D_in)
        return grad_out @ self.params["W"].T


class ReLU(Layer):
    """Rectified linear unit: y = max(x, 0); dL/dx = g * [x > 0].

    Shape: (N, D) -> (N, D).
    """

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._mask = x > 0 if training else None
        return np.maximum(x, 0)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = grad_out * [x > 0]            (N, D)
        return grad_out * self._mask


class LeakyReLU(Layer):
    """Leaky ReLU: y = x if x > 0 else a x; dL/dx = g * (1 if x > 0 else a).

    Shape: (N, D) -> (N, D).
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        positive = x > 0
        self._mask = positive if training else None
        return np.where(positive, x, x * x.dtype.type(self.negative_slope))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        slope = grad_out.dtype.type(self.negative_slope)
        # dL/dx = grad_out * (1 if x > 0 else a)   (N, D)
        return np.where(self._mask, grad_out, grad_out * slope)


class Sigmoid(Layer):
    """Logistic sigmoid: y = 1 / (1 + e^-x); dL/dx = g * y (1 - y).

    Computed as e^-|x| based fractions so that large |x| never overflows.
    Shape: (N, D) -> (N, D).
    """

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        e = np.exp(-np.abs(x))  # in (0, 1]: no overflow for any x
        y = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        self._y = y if training else None
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        y = self._y
        # dL/dx = grad_out * y (1 - y)          (N, D)
        return grad_out * y * (1 - y)


class Tanh(Layer):
    """Hyperbolic tangent: y = tanh(x); dL/dx = g * (1 - y^2).

    Shape: (N, D) -> (N, D).
    """

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        y = np.tanh(x)
        self._y = y if training else None
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        y = self._y
        # dL/dx = grad_out * (1 - y^2)          (N, D)
        return grad_out * (1 - y * y)


ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid, "tanh": Tanh}
# He init suits units that zero half their inputs; Glorot suits symmetric squashing units.
DEFAULT_INIT = {"relu": "he", "leaky_relu": "he", "sigmoid": "glorot", "tanh": "glorot"}


def make_activation(name: str) -> Layer:
    """Return a new activation layer called `name` (relu, leaky_relu, sigmoid or tanh)."""
    if name not in ACTIVATIONS:
        raise DigitnetError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]()
