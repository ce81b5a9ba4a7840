"""The multilayer perceptron: a stack of Dense layers and activations ending in softmax.

MLP([784, 128, 64, 10]) is digitnet's reference network. It runs the forward pass, chains the
layers' backward passes, and offers the Keras/scikit-learn style API (fit, predict,
evaluate, save).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .errors import DigitnetError
from .nn.layers import DEFAULT_INIT, Dense, Dropout, Layer, make_activation
from .nn.losses import SoftmaxCrossEntropy, cross_entropy_sum, softmax
from .nn.metrics import accuracy

if TYPE_CHECKING:  # only for the annotation: training sits above the network
    from .training.history import History

DTYPES = ("float32", "float64")
DEFAULT_LAYER_SIZES = (784, 128, 64, 10)


def as_input(X: np.ndarray, dtype: str, out: np.ndarray | None = None) -> np.ndarray:
    """Images as network input: uint8 pixels become pixel / 255, floats are only cast to dtype.

    With `out`, the result is written there (a buffer reused from batch to batch).
    """
    if X.dtype == np.uint8:
        return np.divide(X, 255, out=out, dtype=dtype)  # computed in `dtype`, not float64
    if out is None:
        return X.astype(dtype, copy=False)
    np.copyto(out, X)
    return out


class MLP:
    """Multilayer perceptron: Dense -> activation -> ... -> Dense -> softmax.

    layer_sizes: [inputs, hidden..., classes], e.g. [784, 128, 64, 10].
    activation: one name for every hidden layer, or a list with one name per hidden layer.
    Hidden Dense layers use He initialisation before ReLU-like units and Glorot before
    sigmoid/tanh; the output layer (before softmax) uses Glorot. Biases start at zero.
    """

    def __init__(
        self,
        layer_sizes=DEFAULT_LAYER_SIZES,
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
        if dtype not in DTYPES:
            raise DigitnetError(f"dtype must be float32 or float64, got {dtype!r}")
        self.layer_sizes, self.activations, self.dtype, self.seed = sizes, activations, dtype, seed
        self.rng = np.random.default_rng(seed)  # initialisation, then shuffling in fit
        self.dense_layers: list[Dense] = []
        self.activation_layers: list[Layer] = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            if i < n_hidden:
                self.activation_layers.append(make_activation(activations[i]))  # checks name
            init = DEFAULT_INIT[activations[i]] if i < n_hidden else "glorot"  # output: softmax
            self.dense_layers.append(Dense(fan_in, fan_out, self.rng, init, dtype))
        self.dense_layers[0].needs_input_grad = False
        self.flat_params, self.flat_grads = _flatten(self.dense_layers)
        self.loss = SoftmaxCrossEntropy()
        self.set_dropout(dropout, input_dropout)

    def set_dropout(self, dropout: float = 0.0, input_dropout: float = 0.0) -> None:
        """(Re)build the layer stack with inverted dropout after each hidden activation (rate
        `dropout`) and on the input (rate `input_dropout`). Training only: it has no weights,
        so a saved model does not record it, and evaluation is unchanged."""
        self.dropout, self.input_dropout = dropout, input_dropout
        self.layers = [Dropout(input_dropout, self.rng)] if input_dropout else []
        for dense, activation in zip(self.dense_layers, [*self.activation_layers, None]):
            self.layers.append(dense)
            if activation is not None:
                self.layers.append(activation)
                if dropout:
                    self.layers.append(Dropout(dropout, self.rng))

    def __repr__(self) -> str:
        return (
            f"MLP({self.layer_sizes}, activation={self.activations}, dtype={self.dtype!r}, "
            f"seed={self.seed})"
        )

    # --- the two passes -------------------------------------------------------------------
    def forward(
        self, x: np.ndarray, training: bool = False, hidden: list | None = None
    ) -> np.ndarray:
        """Logits (N, C) for a batch of input rows x (N, D_in) already in the model's dtype.

        With a list as `hidden`, each hidden layer's output (after its activation) is appended
        to it: what the drawing page shows.
        """
        for layer in self.layers:
            x = layer.forward(x, training)
            if hidden is not None and layer in self.activation_layers:
                hidden.append(x)
        return x

    def backward(self, grad_logits: np.ndarray) -> None:
        """Backpropagate dL/dlogits (N, C) through every layer, filling each layer's grads."""
        grad = grad_logits
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
            if grad is None:  # the first Dense layer does not pass a gradient to the data
                break

    def parameters(self) -> list[np.ndarray]:
        """All trainable arrays, in order: W1, b1, W2, b2, ... (views into flat_params)"""
        return [layer.params[key] for layer in self.dense_layers for key in ("W", "b")]

    def gradients(self) -> list[np.ndarray]:
        """Gradients aligned with parameters(): dW1, db1, dW2, db2, ... (views into flat_grads)"""
        return [layer.grads[key] for layer in self.dense_layers for key in ("W", "b")]

    # --- the user-facing API -------------------------------------------------------------
    def check_input(self, X: np.ndarray, y: np.ndarray | None = None) -> None:
        """Raise DigitnetError unless X is (n, D_in) pixels (and y, if given, n labels 0..C-1)."""
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise DigitnetError(
                f"expected input of shape (n, {self.layer_sizes[0]}), got {X.shape}"
            )
        if y is not None:
            y = np.asarray(y)
            if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer):
                raise DigitnetError(f"expected {len(X)} integer labels, got {y.dtype} {y.shape}")
            if len(y) and (y.min() < 0 or y.max() >= self.layer_sizes[-1]):
                raise DigitnetError(
                    f"labels must be in 0..{self.layer_sizes[-1] - 1}, found {y.min()}..{y.max()}"
                )

    def predict_logits(self, X: np.ndarray, batch_size: int = 8192) -> np.ndarray:
        """Logits (n, C) for images X: uint8 0-255 or floats in [0, 1]."""
        self.check_input(X)
        if len(X) <= batch_size:  # one chunk: the common case, and the fast path for one image
            return self.forward(as_input(X, self.dtype))
        chunks = [
            self.forward(as_input(X[i : i + batch_size], self.dtype))
            for i in range(0, len(X), batch_size)
        ]
        return np.concatenate(chunks)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (n, C): softmax of the logits."""
        return softmax(self.predict_logits(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted digit for each image (n,)."""
        return self.predict_logits(X).argmax(axis=1)

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """Mean cross-entropy loss and accuracy on (X, y): {"loss": ..., "accuracy": ...}."""
        self.check_input(X, y)
        logits = self.predict_logits(X)
        return {
            "loss": cross_entropy_sum(logits, y) / max(len(y), 1),
            "accuracy": accuracy(logits.argmax(axis=1), y),
        }

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Accuracy on (X, y), as scikit-learn's score."""
        return self.evaluate(X, y)["accuracy"]

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        epochs: int = 10,
        batch_size: int = 128,
        optimizer=None,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        verbose: int = 1,
        shuffle: bool = True,
        lr_schedule: str = "constant",
        warmup_epochs: float = 0.0,
        validation_name: str = "val",
        initial_epoch: int = 0,
        on_epoch_end=None,
        augment=None,
        early_stopping: int | None = None,
    ) -> History:
        """Train on images X (uint8 0-255 or floats in [0, 1]) and integer labels y.

        epochs, batch_size: passes over the data, and images per step.
        optimizer: an SGD or Adam instance (default Adam(lr=0.001)).
        validation_data: (X_val, y_val), evaluated after each epoch (val_loss, val_accuracy).
        verbose: 0 silent, 1 a progress bar and a line per epoch, 2 only the lines; verbose runs
            also print a hint when the network is not learning (digitnet.diagnostics).
        shuffle: a new random order of the images every epoch.
        lr_schedule, warmup_epochs: "constant" or "cosine" (lr down to 0), after a linear ramp.
        validation_name: what the epoch lines call the validation set ("val", or "test").
        initial_epoch: epochs already done, to continue a run (as Keras).
        on_epoch_end: on_epoch_end(epoch, metrics) after each epoch; returning True stops.
        augment: an augment.Augmentation applied anew to every training batch.
        early_stopping: patience in epochs on val_loss; the best epoch's weights are kept.
        Returns a History. The full description: digitnet.train.fit.
        """
        from .training.loop import fit

        return fit(
            self,
            X,
            y,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=optimizer,
            validation_data=validation_data,
            verbose=verbose,
            shuffle=shuffle,
            lr_schedule=lr_schedule,
            warmup_epochs=warmup_epochs,
            validation_name=validation_name,
            initial_epoch=initial_epoch,
            on_epoch_end=on_epoch_end,
            augment=augment,
            early_stopping=early_stopping,
        )

    def save(self, path) -> None:
        """Save to one .npz file (arrays W1, b1, ... and a JSON `meta`), written atomically."""
        from .serialization import save_model

        save_model(self, path)


def _flatten(dense_layers: list[Dense]) -> tuple[np.ndarray, np.ndarray]:
    """Move every W and b into one contiguous array, and every gradient into another.

    Each layer's params["W"] etc. become views into these arrays, so the layers work exactly as
    before, while an optimizer can update all the weights at once: a handful of NumPy calls per
    step instead of a handful per tensor. Returns (flat_params, flat_grads).
    """
    arrays = [layer.params[key] for layer in dense_layers for key in ("W", "b")]
    flat_params = np.concatenate([a.ravel() for a in arrays])
    flat_grads = np.zeros_like(flat_params)
    offset = 0
    for layer in dense_layers:
        for key in ("W", "b"):
            shape, size = layer.params[key].shape, layer.params[key].size
            layer.params[key] = flat_params[offset : offset + size].reshape(shape)
            layer.grads[key] = flat_grads[offset : offset + size].reshape(shape)
            offset += size
    return flat_params, flat_grads
