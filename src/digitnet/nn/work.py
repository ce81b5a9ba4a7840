"""How much arithmetic a network does: each layer's multiply-adds per example, as the layer
counts them (Layer.multiply_adds), and the floating-point operations of a training step.

A training step does each layer's matrix products three times: forward (y = x W), the weights'
gradient (dW = x^T g) and the input's gradient (dx = g W^T); the first layer with weights skips
the last, since nothing needs the gradient of the data. matrix_products lists those products
with their shapes, for timing them alone (training/profile.py, the benchmarks).
"""

from __future__ import annotations

from typing import NamedTuple

from .conv import Conv2D
from .dense import Dense
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


class Product(NamedTuple):
    """One np.matmul call of a training step: `stack` products (m, k) @ (k, n), the first
    operand a transposed view if a_t, the second if b_t (as the layer passes them)."""

    name: str
    m: int
    k: int
    n: int
    a_t: bool = False
    b_t: bool = False
    stack: int = 1


def matrix_products(model: Network, batch: int) -> list[Product]:
    """The matrix products one training step on `batch` examples makes, in the layers' layouts.

    Conv2D, with K = C_in k k and L = H_out W_out: batch last (more than one input channel, or
    images batch last in or out: nn/layout.py),
    [W_mat b] [cols; 1] (C_out, K + 1, L batch), [cols; 1] g^T (K + 1, L batch, C_out) and
    dcols = W_mat^T g (K, C_out, L batch); images first, per image: W_mat cols_n (C_out, K, L),
    g_n cols_n^T (C_out, L, K), dcols_n (K, C_out, L). Dense: x W (batch, D_in, D_out),
    x^T g (D_in, batch, D_out), g W^T (batch, D_out, D_in). The input's gradient only where the
    layer passes one on; the bias products of dense (1^T g, a vector) are left out.
    """
    products, shape = [], model.input_shape
    for i, layer in enumerate(model.layers):
        out = layer.output_shape(shape)
        if isinstance(layer, Conv2D):
            K, L, C_out = layer.in_channels * layer.kernel_size**2, out[1] * out[2], out[0]
            if layer.patches_batch_last:
                products.append(Product(f"{i} conv [W b] [cols; 1]", C_out, K + 1, L * batch))
                products.append(
                    Product(f"{i} conv [cols; 1] g^T", K + 1, L * batch, C_out, b_t=True)
                )
                if layer.needs_input_grad:
                    products.append(Product(f"{i} conv W^T g", K, C_out, L * batch, a_t=True))
            else:
                products.append(Product(f"{i} conv W cols_n", C_out, K, L, stack=batch))
                products.append(Product(f"{i} conv g_n cols_n^T", C_out, L, K, False, True, batch))
                if layer.needs_input_grad:
                    products.append(Product(f"{i} conv W^T g_n", K, C_out, L, True, False, batch))
        elif isinstance(layer, Dense):
            D_in, D_out = layer.in_features, layer.out_features
            products.append(Product(f"{i} dense x W", batch, D_in, D_out))
            products.append(Product(f"{i} dense x^T g", D_in, batch, D_out, a_t=True))
            if layer.needs_input_grad:
                products.append(Product(f"{i} dense g W^T", batch, D_out, D_in, b_t=True))
        shape = out
    return products
