"""The layer protocol: what every layer in digitnet has and does.

A layer owns its parameters and knows its configuration, as a PyTorch module or a Keras layer:

    params, grads       dicts with the same keys ("W", "b"; empty for activations); grads has the
                        gradient of the loss for each parameter after backward
    state               arrays that are saved but not trained (a batch norm's running statistics)
    build(rng, dtype)   create the parameters (drawn from `rng`) in `dtype`; Sequential calls it
    forward(x, training=False) -> y     keeps only what backward needs
    backward(grad_out) -> dL/dx         overwrites self.grads (no accumulation, so no zero_grad)
    config() -> dict    JSON-able, with a "type" key: layers.layer_from_config rebuilds the layer
    output_shape(input_shape) -> shape  of one example, without the batch axis; raises on a
                        shape the layer cannot take

Shapes are of one example: (D,) for feature vectors, (C, H, W) for images.
"""

from __future__ import annotations

import numpy as np

from ..errors import DigitnetError
from .buffers import Buffers


def check_int(layer: str, name: str, value: object, least: int = 1) -> int:
    """A layer setting that must be a whole number >= least, as an int; else a DigitnetError
    naming the layer, the setting and the value received (booleans are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise DigitnetError(f"{layer}: {name} must be an integer >= {least}, got {value!r}")
    return int(value)


class Layer:
    """Base class: a layer with no parameters, whose output has its input's shape."""

    type_name = "layer"  # the "type" of config(); each layer class sets its own
    decay: tuple[str, ...] = ()  # names of the params that weight decay applies to
    is_activation = False  # an element-wise nonlinearity: its output is a layer's activations
    keeps_output = False  # backward reads the output of forward: nobody may overwrite it
    passes_input_through = False  # forward may return its input itself (dropout at eval)
    trains_differently = False  # forward(training=True) computes another output than evaluation
    init_before = "glorot"  # the initialisation that suits a dense layer feeding this one

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self.buffers = Buffers()  # scratch arrays reused from batch to batch in training
        self.needs_input_grad = True  # Sequential turns it off where the input is the data
        self.inplace = False  # Sequential turns it on where overwriting the input is safe

    def build(self, rng: np.random.Generator, dtype: str) -> None:
        """Create the parameters (a layer without parameters has nothing to do)."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The layer's output for a batch."""
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """Given dL/d(output), fill self.grads and return dL/dx (None if not needed)."""
        raise NotImplementedError

    def config(self) -> dict:
        """What rebuilds this layer: {"type": ..., and the constructor's arguments}."""
        return {"type": self.type_name}

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of one example's output, given one example's input shape."""
        return tuple(input_shape)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "type")
        return f"{type(self).__name__}({arguments})"
