"""The user's model: Sequential (any stack of layers that trains itself) and MLP.

    model = dn.Sequential([dn.Dense(784, 128), dn.ReLU(), dn.Dense(128, 10)], seed=0)
    model = dn.MLP([784, 128, 64, 10])          # the same kind of object, built from sizes
    history = model.fit(X, y, epochs=10)

A Sequential is an nn.Network (the layers, both passes, predict, evaluate, save) plus `fit`,
which runs training.loop.fit: as Keras' Model joins its layers and its trainer, this module
sits above both, so that neither the math nor the loop imports the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .errors import DigitnetError
from .nn.dense import Dense
from .nn.layer import Layer
from .nn.layers import DEFAULT_INIT, make_activation
from .nn.network import Network
from .nn.summary import summary_table
from .training import loop
from .training.settings import DEFAULTS

DEFAULT_LAYER_SIZES = (784, 128, 64, 10)


class Sequential(Network):
    """A stack of layers ending in class scores, trained with softmax cross-entropy.

    layers: e.g. [Dense(784, 128), ReLU(), Dense(128, 10)]; their parameters are drawn from
        `seed` here, layer by layer. input_shape: one example's shape (by default the first
        dense layer's in_features). dtype: "float32" or "float64".
    """

    fit = loop.fit  # the training loop, whose first parameter (the model) is this network

    def summary(self, batch_size: int = DEFAULTS["batch_size"]) -> str:
        """The layers as a table (nn/summary.py): output shapes, parameters, multiply-adds per
        image and output memory for a batch, with the totals; print it to see it."""
        return summary_table(self, batch_size)


class MLP(Sequential):
    """Multilayer perceptron: Dense -> activation -> ... -> Dense, then softmax.

    layer_sizes: [inputs, hidden..., classes], e.g. [784, 128, 64, 10].
    activation: one name for every hidden layer, or a list with one name per hidden layer.
    dropout, input_dropout: inverted dropout after each hidden activation, and on the input.
    classes: the name of each output class (default: the digits "0", "1", ...).
    Hidden Dense layers use He initialisation before ReLU-like units and Glorot before
    sigmoid/tanh; the output layer (before softmax) uses Glorot. Biases start at zero.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int] = DEFAULT_LAYER_SIZES,
        activation: str | list[str] = "relu",
        seed: int = 0,
        dtype: str = "float32",
        dropout: float = 0.0,
        input_dropout: float = 0.0,
        classes: Sequence[str] | None = None,
    ) -> None:
        sizes = [int(n) for n in layer_sizes]
        if len(sizes) < 2 or min(sizes) < 1 or any(s != n for s, n in zip(sizes, layer_sizes)):
            raise DigitnetError(
                f"layer_sizes must be at least two integers >= 1, got {list(layer_sizes)}"
            )
        n_hidden = len(sizes) - 2
        activations = [activation] * n_hidden if isinstance(activation, str) else list(activation)
        if len(activations) != n_hidden:
            raise DigitnetError(
                f"{n_hidden} hidden layers need {n_hidden} activations, got {activations}"
            )
        layers: list[Layer] = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            hidden = i < n_hidden
            act = make_activation(activations[i]) if hidden else None  # checks the name
            layers.append(
                Dense(fan_in, fan_out, DEFAULT_INIT[activations[i]] if hidden else "glorot")
            )
            if act is not None:
                layers.append(act)
        super().__init__(layers, input_shape=(sizes[0],), seed=seed, dtype=dtype, classes=classes)
        self.set_dropout(dropout, input_dropout)

    @property
    def layer_sizes(self) -> list[int]:
        """[inputs, hidden..., classes], from the dense layers."""
        dense = [layer for layer in self.layers if isinstance(layer, Dense)]
        return [dense[0].in_features, *(layer.out_features for layer in dense)]

    @property
    def activations(self) -> list[str]:
        """The hidden layers' activation names."""
        return self.activation_names()


def load_model(path: str | Path) -> Sequential:
    """Load a model file (version 1 or 2) as a Sequential, checking every array."""
    return Sequential.load(path)
