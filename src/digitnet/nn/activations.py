"""Activation functions: element-wise nonlinearities between the layers that have weights.

Each keeps what its derivative needs: ReLU and sigmoid/tanh their output y, leaky ReLU a mask.
Shape: any -> the same ((N, D) below stands for any shape: (N, C, H, W) after a convolution, or
(C, H, W, N) where the network keeps images batch last: element-wise, they follow any layout).
"""

from __future__ import annotations

import numpy as np

from .layer import Layer, OnnxGraph


class ReLU(Layer):
    """Rectified linear unit: y = max(x, 0); dL/dx = g * [x > 0].

    With `inplace` (as in PyTorch) the output overwrites the input, and the result of backward
    overwrites the upstream gradient: Network._plan turns it on where nothing else reads those
    arrays (after a Dense or Conv2D layer, not on the network's input).
    """

    type_name = "relu"
    spec_name = "relu"
    is_activation = True
    follows_layout = True  # element-wise: any layout
    init_before = "he"  # He init suits units that zero half their inputs
    keeps_output = True

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        y = np.maximum(x, 0, out=x if self.inplace else None)
        self._y = y if training else None  # [x > 0] = [y > 0]: keep y, not a mask
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        assert self._y is not None, "backward before a training-mode forward"
        # dL/dx = grad_out * [x > 0]            (N, D)
        return np.multiply(grad_out, self._y > 0, out=grad_out if self.inplace else None)

    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        return graph.node("Relu", [x])

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        return "nn.ReLU()"


class LeakyReLU(Layer):
    """Leaky ReLU: y = x if x > 0 else a x; dL/dx = g * (1 if x > 0 else a)."""

    type_name = "leaky_relu"
    spec_name = "leaky_relu"
    is_activation = True
    follows_layout = True  # element-wise: any layout
    init_before = "he"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def config(self) -> dict:
        return {"type": self.type_name, "negative_slope": self.negative_slope}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        positive = x > 0
        self._mask = positive if training else None
        return np.where(positive, x, x * x.dtype.type(self.negative_slope))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        assert self._mask is not None, "backward before a training-mode forward"
        slope = grad_out.dtype.type(self.negative_slope)
        # dL/dx = grad_out * (1 if x > 0 else a)   (N, D)
        return np.where(self._mask, grad_out, grad_out * slope)

    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        return graph.node("LeakyRelu", [x], alpha=self.negative_slope)

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        return f"nn.LeakyReLU({self.negative_slope})"


class Sigmoid(Layer):
    """Logistic sigmoid: y = 1 / (1 + e^-x); dL/dx = g * y (1 - y).

    Computed as e^-|x| based fractions so that large |x| never overflows.
    """

    type_name = "sigmoid"
    spec_name = "sigmoid"
    is_activation = True
    follows_layout = True  # element-wise: any layout
    keeps_output = True

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        e = np.exp(-np.abs(x))  # in (0, 1]: no overflow for any x
        y = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        self._y = y if training else None
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        y = self._y
        assert y is not None, "backward before a training-mode forward"
        # dL/dx = grad_out * y (1 - y)          (N, D)
        return grad_out * y * (1 - y)

    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        return graph.node("Sigmoid", [x])

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        return "nn.Sigmoid()"


class Tanh(Layer):
    """Hyperbolic tangent: y = tanh(x); dL/dx = g * (1 - y^2)."""

    type_name = "tanh"
    spec_name = "tanh"
    is_activation = True
    follows_layout = True  # element-wise: any layout
    keeps_output = True

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        y = np.tanh(x)
        self._y = y if training else None
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        y = self._y
        assert y is not None, "backward before a training-mode forward"
        # dL/dx = grad_out * (1 - y^2)          (N, D)
        return grad_out * (1 - y * y)

    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        return graph.node("Tanh", [x])

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        return "nn.Tanh()"
