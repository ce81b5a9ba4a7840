"""The fully connected (dense) layer: z = x W + b."""

from __future__ import annotations

import numpy as np

from ..checks import integer
from ..errors import DigitnetError
from .init import initializer
from .layer import Layer, OnnxGraph, Setting


class Dense(Layer):
    """Fully connected layer: z = x W + b.

    Gradients: dL/dW = x^T g, dL/db = sum over the batch of g, dL/dx = g W^T, with g = dL/dz.
    W is stored (D_in, D_out) so that a batch of rows multiplies from the left; PyTorch's
    nn.Linear stores the transpose, (D_out, D_in), and computes x W^T.
    init: "he" (before ReLU-like units) or "glorot" (before sigmoid, tanh, softmax); b starts at 0.
    Weight decay applies to W only.

    Shape: x (N, D_in) -> z (N, D_out).
    """

    type_name = "dense"
    decay = ("W",)
    spec_name = "dense"  # "dense N": N units
    spec_numbers = (Setting("N", "out_features"),)
    spec_example = "dense 5"
    takes_vectors = True
    input_size_argument = "in_features"
    takes_init = True

    def __init__(self, in_features: int, out_features: int, init: str = "he") -> None:
        super().__init__()
        self.in_features = integer("dense: in_features", in_features)
        self.out_features = integer("dense: out_features", out_features)
        self.initializer = initializer(init)  # checks the name now, not at build
        self._x: np.ndarray | None = None

    def build(self, rng: np.random.Generator, dtype: str) -> None:
        """Draw W from the initialiser; b = 0."""
        W = self.initializer((self.in_features, self.out_features), rng, dtype)
        self._set_params(W=W, b=np.zeros(self.out_features, dtype=dtype))

    def config(self) -> dict:
        return {
            "type": self.type_name,
            "in_features": self.in_features,
            "out_features": self.out_features,
        }

    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        # y = x W + b, W as stored (D_in, D_out): Gemm without transposes
        weights = [graph.tensor("W", self.params["W"]), graph.tensor("b", self.params["b"])]
        return graph.node("Gemm", [x, *weights])

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        return f"nn.Linear({self.in_features}, {self.out_features})"

    def torch_state(self) -> dict[str, np.ndarray]:
        # PyTorch's Linear computes x W^T + b: its weight is (D_out, D_in)
        return {"weight": self.params["W"].T, "bias": self.params["b"]}

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if tuple(input_shape) != (self.in_features,):
            raise DigitnetError(
                f"dense layer of {self.in_features} inputs cannot take input of shape "
                f"{tuple(input_shape)}"
            )
        return (self.out_features,)

    def multiply_adds(self, input_shape: tuple[int, ...]) -> int:
        """D_in D_out: each output sums D_in products."""
        self.output_shape(input_shape)  # refuses an input it cannot take
        return self.in_features * self.out_features

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
        assert x is not None, "backward before a training-mode forward"
        # dL/dW = x^T grad_out                 (D_in, D_out)
        np.matmul(x.T, grad_out, out=self.grads["W"])
        # dL/db = sum_n grad_out[n] = 1^T grad_out   (D_out,)
        # (plain version: grad_out.sum(axis=0); a product with ones runs in BLAS, which is faster)
        ones = self.buffers.get("ones", (len(grad_out),), grad_out.dtype, fill=1)
        np.matmul(ones, grad_out, out=self.grads["b"])
        if not self.needs_input_grad:
            return None  # the input is the data: nobody needs its gradient
        # dL/dx = grad_out W^T                 (N, D_in)
        dx = self.buffers.get("dx", x.shape, W.dtype)
        return np.matmul(grad_out, W.T, out=dx)
