"""How much arithmetic a network does: each layer's multiply-adds per example, as the layer
counts them (Layer.multiply_adds), and the floating-point operations of a training step.

A training step does each layer's matrix products three times: forward (y = x W), the weights'
gradient (dW = x^T g) and the input's gradient (dx = g W^T); the first layer with weights skips
the last, since nothing needs the gradient of the data.
"""

from __future__ import annotations

from .network import Network


def multiply_adds(model: Network) -> list[int]:
    """Each layer's multiply-adds for one example's forward pass, in the network's order."""
    counts, shape = [], model.input_shape
    for layer in model.layers:
        counts.append(layer.multiply_adds(shape))
        shape = layer.output_shape(shape)
    return counts


def training_flops(model: Network, n: int) -> float:
    """Floating-point operations of training on n examples (2 per multiply-add): forward, dW, and
    dx where the layer passes a gradient on."""
    passes = [3 if layer.needs_input_grad else 2 for layer in model.layers]
    return float(n * sum(2 * macs * p for macs, p in zip(multiply_adds(model), passes)))
