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
from typing import TYPE_CHECKING

import numpy as np

from .data.augment import Augmentation
from .errors import DigitnetError
from .nn.dense import Dense
from .nn.layer import Layer
from .nn.layers import DEFAULT_INIT, make_activation
from .nn.network import Network
from .training.callbacks import Callback, EarlyStopping
from .training.history import History
from .training.loop import fit

if TYPE_CHECKING:
    from .optim import SGD, Adam

DEFAULT_LAYER_SIZES = (784, 128, 64, 10)


class Sequential(Network):
    """A stack of layers ending in class scores, trained with softmax cross-entropy.

    layers: e.g. [Dense(784, 128), ReLU(), Dense(128, 10)]; their parameters are drawn from
        `seed` here, layer by layer. input_shape: one example's shape (by default the first
        dense layer's in_features). dtype: "float32" or "float64".
    """

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        epochs: int = 10,
        batch_size: int = 128,
        optimizer: SGD | Adam | None = None,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        verbose: int = 1,
        callbacks: Sequence[Callback] = (),
        lr_schedule: str = "constant",
        warmup_epochs: float = 0.0,
        augment: Augmentation | None = None,
        early_stopping: int | None = None,
        initial_epoch: int = 0,
    ) -> History:
        """Train on images X (uint8 0-255 or floats in [0, 1]) and integer labels y.

        epochs, batch_size: passes over the data, and images per step.
        optimizer: an SGD or Adam instance (default Adam(lr=0.001)).
        validation_data: (X_val, y_val), evaluated after each epoch (val_loss, val_accuracy).
        verbose: 0 silent, 1 a progress bar and a line per epoch, 2 only the lines.
        callbacks: training.callbacks objects, e.g. your own on_epoch_end.
        lr_schedule, warmup_epochs: "constant", "cosine" or "step", after a linear ramp.
        augment: an augment.Augmentation applied anew to every training batch.
        early_stopping: patience in epochs on val_loss (needs validation_data); the best
            epoch's weights are kept. The same as callbacks=[EarlyStopping(patience)].
        initial_epoch: epochs already done, to continue a run (as Keras).
        Returns a History. The full description: digitnet.training.loop.fit.
        """
        callbacks = list(callbacks)
        if early_stopping is not None:
            if validation_data is None:
                raise DigitnetError("early stopping needs validation data (a validation split)")
            callbacks.append(EarlyStopping(early_stopping, verbose=bool(verbose)))
        return fit(
            self,
            X,
            y,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=optimizer,
            validation_data=validation_data,
            verbose=verbose,
            callbacks=callbacks,
            lr_schedule=lr_schedule,
            warmup_epochs=warmup_epochs,
            augment=augment,
            initial_epoch=initial_epoch,
        )


class MLP(Sequential):
    """Multilayer perceptron: Dense -> activation -> ... -> Dense, then softmax.

    layer_sizes: [inputs, hidden..., classes], e.g. [784, 128, 64, 10].
    activation: one name for every hidden layer, or a list with one name per hidden layer.
    dropout, input_dropout: inverted dropout after each hidden activation, and on the input.
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
        super().__init__(layers, input_shape=(sizes[0],), seed=seed, dtype=dtype)
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
