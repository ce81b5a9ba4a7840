"""Inverted dropout: a regulariser that is active only while training."""

from __future__ import annotations

import numpy as np

from ..errors import DigitnetError
from .layer import Layer, OnnxGraph, Setting


class Dropout(Layer):
    """Inverted dropout: while training, zero each input with probability `rate` and scale the
    survivors by 1 / (1 - rate), so evaluation (which keeps everything) needs no rescaling.

    y = x * m / (1 - rate),  m ~ Bernoulli(1 - rate) per entry;  dL/dx = g * m / (1 - rate).
    The random masks come from the generator given to build (the model's own). In a
    multi-threaded step they are drawn for the whole batch first (draw_masks) and each thread's
    copy is given its rows (given_mask), so the numbers drawn are those of one thread.
    Shape: any -> the same.
    """

    type_name = "dropout"
    trains_differently = True
    passes_input_through = True
    spec_name = "dropout"  # "dropout R": at rate R
    spec_numbers = (Setting("R", "rate", whole=False),)
    spec_example = "dropout 0.5"

    def __init__(self, rate: float) -> None:
        super().__init__()
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise DigitnetError(f"dropout rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.rng: np.random.Generator | None = None
        self._mask: np.ndarray | None = None  # the last training forward's, else None
        self.given_mask: np.ndarray | None = None  # drawn beforehand for the next forward

    def build(self, rng: np.random.Generator, dtype: str) -> None:
        """Keep the generator that draws the masks."""
        self.rng = rng

    def config(self) -> dict:
        return {"type": self.type_name, "rate": self.rate}

    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        return x  # at inference dropout passes its input on: no operation

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        return f"nn.Dropout({self.rate})"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0:
            self._mask = None  # backward passes the gradient through unchanged
            return x
        if self.given_mask is not None:
            mask, self.given_mask = self.given_mask, None
        else:
            mask = self.draw_masks(x.shape, x.dtype)
        self._mask = mask
        return x * mask

    def draw_masks(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """m / (1 - rate) for a batch of `shape`: 1 / (1 - rate) where kept, 0 where dropped."""
        assert self.rng is not None, "dropout used before build"
        mask = self.buffers.get("mask", shape, dtype)
        self.rng.random(shape, dtype=dtype, out=mask)
        np.greater_equal(mask, self.rate, out=mask)  # 1 where kept, 0 where dropped
        mask *= mask.dtype.type(1 / (1 - self.rate))
        return mask

    def backward(self, grad_out: np.ndarray | None) -> np.ndarray | None:
        if grad_out is None or self._mask is None:
            return grad_out
        # dL/dx = grad_out * m / (1 - rate)      (N, D)
        return grad_out * self._mask
