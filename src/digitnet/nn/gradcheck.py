"""Gradient checking: analytical gradients against central finite differences, in float64.

    dL/dp ~= (L(p + eps) - L(p - eps)) / (2 eps)      for every entry p of every tensor

eps = 1e-5 balances the difference's truncation error (~eps^2) against rounding (~1e-16 / eps).
If backpropagation is right, the two agree to better than 1e-6 relative error. The networks
checked: an MLP per activation, a CNN, and one around each registered layer type (check_layer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .dense import Dense
from .layer import Layer
from .layers import ACTIVATIONS, DEFAULT_INIT, LAYER_TYPES, make_activation
from .network import Network
from .spec import build_layers, example_of

TOLERANCE = 1e-6
ZERO = 1e-9  # far above the differences' rounding noise (~1e-11), far below real gradients
# The network `digitnet gradcheck` checks besides the MLPs: every kind of convolutional layer
CNN = (
    "conv 3 3 pad 1, batchnorm, relu, maxpool 2, conv 4 3 stride 2 pad 1, leaky_relu, "
    "maxpool 2 stride 1, conv 5 1, sigmoid, global_avgpool, dense 6, batchnorm, tanh"
)


def numerical_gradient(
    loss_fn: Callable[[], float],
    array: np.ndarray,
    eps: float = 1e-5,
    entries: np.ndarray | None = None,
) -> np.ndarray:
    """Central differences of loss_fn() with respect to each entry of `array` (nudged in place);
    with `entries` (flat indices), only those, and 0 elsewhere."""
    grad = np.zeros_like(array)
    flat, flat_grad = array.reshape(-1), grad.reshape(-1)  # views onto the same memory
    for i in range(flat.size) if entries is None else entries:
        original = flat[i]
        flat[i] = original + eps
        loss_plus = loss_fn()
        flat[i] = original - eps
        loss_minus = loss_fn()
        flat[i] = original
        flat_grad[i] = (loss_plus - loss_minus) / (2 * eps)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """Largest entry-wise |a - n| / max(|a|, |n|, 0.01 * max|a|) over one tensor.

    A finite difference carries a rounding error of about 1e-16 * loss / eps ~ 1e-11 whatever the
    entry's size, so an entry thousands of times smaller than its tensor's largest gradient would
    measure only that noise: such entries are compared against 1% of the tensor's scale instead.
    """
    if analytic.size == 0:
        return 0.0
    if max(np.abs(analytic).max(), np.abs(numeric).max()) < ZERO:
        return 0.0  # a gradient that is exactly 0 (a bias just before batch norm), and measured so
    floor = max(0.01 * float(np.abs(analytic).max()), 1e-12)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    return float((np.abs(analytic - numeric) / scale).max())


def check_model(
    model: Network,
    x: np.ndarray,
    labels: np.ndarray,
    eps: float = 1e-5,
    max_entries: int | None = None,
) -> dict[str, float]:
    """Largest relative error of each of the model's gradients: {"0.W": ..., "0.b": ..., ...}.

    The loss is the training-mode one (batch norm normalises with the batch's statistics, and
    updates its running statistics as a side effect). Dropout draws the same masks in every
    evaluation: the model's generator, which draws them, is put back to its state before each
    forward pass. A tensor whose gradient and differences are both below ZERO everywhere counts
    as agreeing: the loss does not depend on it (a bias just before batch norm).
    max_entries: check at most this many entries of each tensor, chosen at random (a large
    network has too many for two forward passes each).
    """
    start = model.rng.bit_generator.state

    def loss() -> float:
        model.rng.bit_generator.state = start  # the same dropout masks every time
        return model.loss.forward(model.forward(x, training=True), labels)

    loss()
    model.backward(model.loss.backward())
    analytic = {name: g.copy() for name, g in model.gradients().items()}

    rng = np.random.default_rng(0)
    errors = {}
    for name, p in model.parameters().items():
        entries = np.arange(p.size)
        if max_entries is not None and p.size > max_entries:
            entries = np.sort(rng.choice(p.size, max_entries, replace=False))
        numeric = numerical_gradient(loss, p, eps, entries).reshape(-1)[entries]
        errors[name] = relative_error(analytic[name].reshape(-1)[entries], numeric)
    return errors


def check_all_activations(
    layer_sizes: Sequence[int] = (12, 10, 8, 10), batch: int = 6, seed: int = 0
) -> dict[str, dict[str, float]]:
    """Run check_model on a small float64 network for every activation."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, layer_sizes[0]))
    labels = rng.integers(0, layer_sizes[-1], batch)
    results = {}
    for name in ACTIVATIONS:
        layers: list[Layer] = []
        for fan_in, fan_out in zip(layer_sizes[:-2], layer_sizes[1:-1]):
            layers += [Dense(fan_in, fan_out, DEFAULT_INIT[name]), make_activation(name)]
        layers.append(Dense(layer_sizes[-2], layer_sizes[-1], "glorot"))  # as MLP: before softmax
        model = Network(layers, seed=seed, dtype="float64")
        for array in model.parameters().values():  # non-zero biases, so that their gradients
            if array.ndim == 1:  # are exercised
                array[...] = rng.standard_normal(array.shape) * 0.1
        results[name] = check_model(model, x, labels)
    return results


def check_cnn(
    spec: str = CNN, image_size: int = 8, batch: int = 4, seed: int = 0, max_entries: int = 200
) -> dict[str, float]:
    """Run check_model on the float64 network of a --layers spec, for one-channel images of
    image_size x image_size pixels (weights and biases nudged away from their initial values)."""
    return check_spec(spec, (1, image_size, image_size), batch, seed, max_entries)


def check_spec(
    spec: str, input_shape: tuple[int, ...], batch: int = 4, seed: int = 0, max_entries: int = 200
) -> dict[str, float]:
    """Run check_model on the float64 network of a --layers spec for inputs of input_shape
    (weights and biases nudged away from their initial values)."""
    rng = np.random.default_rng(seed)
    model = Network(
        build_layers(spec, input_shape), input_shape=input_shape, seed=seed, dtype="float64"
    )
    for array in model.parameters().values():
        array += rng.standard_normal(array.shape) * 0.1
    x = rng.standard_normal((batch, *input_shape))
    return check_model(model, x, rng.integers(0, 10, batch), max_entries=max_entries)


def around(layer_type: str) -> tuple[str, tuple[int, ...]]:
    """The small network check_layer checks a registered layer type in, as a --layers spec and
    its input shape: the type's example term after a layer with weights (dense, or conv for a
    layer of images) and before a ReLU, which works in place unless the layer says it keeps its
    output: a backward that reads an output the ReLU overwrote shows as a wrong gradient."""
    cls = LAYER_TYPES[layer_type]
    before, shape = ("conv 2 3 pad 1", (1, 6, 6)) if cls.takes_images else ("dense 8", (6,))
    return f"{before}, {example_of(cls)}, relu", shape


def check_layer(layer_type: str, seed: int = 0) -> dict[str, float]:
    """Run check_model on the network around(layer_type), in float64."""
    return check_spec(*around(layer_type), seed=seed)


def check_every_layer(seed: int = 0) -> dict[str, dict[str, float]]:
    """check_layer for every registered layer type that --layers offers."""
    return {
        name: check_layer(name, seed)
        for name, cls in LAYER_TYPES.items()
        if cls.spec_name is not None
    }
