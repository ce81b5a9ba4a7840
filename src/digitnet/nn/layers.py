"""Layers with an explicit forward pass and an analytical backward pass.

Each layer has `params` and `grads`, dicts with the same keys ("W", "b"; empty for activations).
`forward(x, training)` keeps only what `backward` needs; `backward(grad_out)` returns dL/dx and
overwrites `self.grads`. Batches are rows: x has shape (N, D). Derivations: docs/backprop.md.

Speed: in training mode, outputs and gradients are written into buffers that the layer reuses from
one batch to the next (NumPy's `out=` arguments), so a training step allocates almost nothing.
Such an output is valid until the layer's next training-mode call; evaluation mode
(training=False) always returns fresh arrays.
"""

from __future__ import annotations

import numpy as np

from ..errors import DigitnetError
from .buffers import Buffers
from .init import initializer


class Layer:
    """Base class: no parameters; subclasses implement forward and backward."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers = Buffers()  # scratch arrays for training mode

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
        W, b = self.params["W"], self.params["b"]
        if not training:
            z = np.dot(x, W)  # = x @ W; np.dot has less call overhead for one image
            z += b  # in place: one new array instead of two
            return z
        self._x = x
        # plain version: z = x @ W + b (two new arrays per batch)
        z = self.buffers.get("z", (len(x), W.shape[1]), W.dtype)
        np.matmul(x, W, out=z)
        z += b
        return z

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        x, W = self._x, self.params["W"]
        # dL/dW = x^T grad_out                 (D_in, D_out)
        np.matmul(x.T, grad_out, out=self.grads["W"])
        # dL/db = sum_n grad_out[n] = 1^T grad_out   (D_out,)
        # (plain version: grad_out.sum(axis=0); BLAS's matrix-vector product is ~3x faster here)
        ones = self.buffers.get("ones", (len(grad_out),), grad_out.dtype, fill=1)
        np.matmul(ones, grad_out, out=self.grads["b"])
        if not self.needs_input_grad:
            return None  # the input is the data: nobody needs its gradient
        # dL/dx = grad_out W^T                 (N, D_in)
        dx = self.buffers.get("dx", x.shape, W.dtype)
        return np.matmul(grad_out, W.T, out=dx)


class ReLU(Layer):
    """Rectified linear unit: y = max(x, 0); dL/dx = g * [x > 0].

    inplace=True (as in PyTorch) overwrites the input with the output and the upstream gradient
    with the result of backward: the model uses it, since nothing else needs those arrays.
    Shape: (N, D) -> (N, D).
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        y = np.maximum(x, 0, out=x if self.inplace else None)
        self._y = y if training else None  # [x > 0] = [y > 0]: keep y, not a mask
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = grad_out * [x > 0]            (N, D)
        return np.multiply(grad_out, self._y > 0, out=grad_out if self.inplace else None)


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


class Dropout(Layer):
    """Inverted dropout: while training, zero each input with probability `rate` and scale the
    survivors by 1 / (1 - rate), so evaluation (which keeps everything) needs no rescaling.

    y = x * m / (1 - rate),  m ~ Bernoulli(1 - rate) per entry;  dL/dx = g * m / (1 - rate).
    Shape: (N, D) -> (N, D).
    """

    def __init__(self, rate: float, rng: np.random.Generator) -> None:
        super().__init__()
        if not 0 <= rate < 1:
            raise DigitnetError(f"dropout rate must be in [0, 1), got {rate!r}")
        self.rate, self.rng = rate, rng

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0:
            return x
        mask = self.buffers.get("mask", x.shape, x.dtype)
        self.rng.random(x.shape, dtype=x.dtype, out=mask)
        np.greater_equal(mask, self.rate, out=mask)  # 1 where kept, 0 where dropped
        mask *= x.dtype.type(1 / (1 - self.rate))
        self._mask = mask
        return x * mask

    def backward(self, grad_out: np.ndarray | None) -> np.ndarray | None:
        if grad_out is None or self.rate == 0:
            return grad_out
        # dL/dx = grad_out * m / (1 - rate)      (N, D)
        return grad_out * self._mask


ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid, "tanh": Tanh}
# He init suits units that zero half their inputs; Glorot suits symmetric squashing units.
DEFAULT_INIT = {"relu": "he", "leaky_relu": "he", "sigmoid": "glorot", "tanh": "glorot"}


def make_activation(name: str) -> Layer:
    """Return a new activation layer called `name` (relu, leaky_relu, sigmoid or tanh)."""
    if name not in ACTIVATIONS:
        raise DigitnetError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    if name == "relu":
        return ReLU(inplace=True)  # inside a model its input is a Dense output nobody else reads
    return ACTIVATIONS[name]()
