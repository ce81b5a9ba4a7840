"""Flatten: feature maps to one vector per example, between the convolutions and dense layers."""

from __future__ import annotations

import numpy as np

from ..errors import DigitnetError
from .layer import Layer, OnnxGraph


class Flatten(Layer):
    """y[n] = x[n] read in C order (channel, then row, then column), as torch.flatten(x, 1);
    dL/dx = g reshaped back. Nothing is copied: y is a view of x.

    Shape: x (N, C, H, W) -> y (N, C H W).
    """

    type_name = "flatten"
    passes_input_through = True  # its output is a view of its input: nobody may overwrite it
    spec_name = "flatten"

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if not input_shape:
            raise DigitnetError("flatten needs an input with at least one axis")
        return (int(np.prod(input_shape)),)

    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        return graph.node("Flatten", [x], axis=1)

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        return "nn.Flatten()"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x_shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = g in x's shape                  (N, C, H, W)
        return grad_out.reshape(self._x_shape)
