"""The two passes through a stack of layers: forward first to last, backward last to first.

    logits = layers[-1](... layers[1](layers[0](x)))        forward_pass
    grad = layer.backward(grad) for each layer, last first  backward_pass

Network runs them over its layers; a multi-threaded step (parallel.py) over each thread's copy.
"""

from __future__ import annotations

import numpy as np

from .layer import Layer
from .layout import images_first


def forward_pass(
    layers: list[Layer], x: np.ndarray, training: bool, activations: list | None = None
) -> np.ndarray:
    """The last layer's output for x; each activation layer's output is appended to
    `activations` if it is a list, as (N, C, H, W) for images (a view, where they are batch
    last)."""
    for layer in layers:
        x = layer.forward(x, training)
        if activations is not None and layer.is_activation:
            activations.append(images_first(x, layer.output_batch_last))
    return x


def backward_pass(layers: list[Layer], grad: np.ndarray) -> None:
    """Backpropagate grad = dL/d(last output) through the layers, filling each one's grads."""
    passed: np.ndarray | None = grad
    for layer in reversed(layers):
        assert passed is not None  # the loop stops at the first None (mypy cannot see it)
        passed = layer.backward(passed)
        if passed is None:  # the first layer with weights passes no gradient to the data
            break
