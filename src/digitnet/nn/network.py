"""A network: a stack of layers ending in softmax, with its two passes and its parameters.

    logits = layers[-1](... layers[1](layers[0](x)))        the forward loop
    grad = layer.backward(grad) for each layer, last first  the backward loop

Network is the math and inference (predict, evaluate, save); digitnet.model.Sequential adds
training (fit), as Keras' Model adds a trainer to its layers. All parameters live in one flat
array (packing.ParameterBlock), with a view per tensor in each layer's params. With more than
one thread, training steps and batched inference split each batch across threads (parallel.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from ..errors import DigitnetError
from .class_names import check_names, digit_names
from .dropout import Dropout
from .inputs import as_input, input_shape_of
from .layer import Layer
from .layers import OWN_TYPES, layer_from_config
from .layout import plan_layouts
from .losses import SoftmaxCrossEntropy, cross_entropy_sum, softmax
from .metrics import accuracy
from .model_file import DTYPES, load_weights, read_model_file, save_model_file
from .packing import ParameterBlock
from .parallel import DataParallel, splits_batches
from .passes import backward_pass, forward_pass
from .threads import blas_threads, thread_count

N = TypeVar("N", bound="Network")


class Network:
    """A stack of layers whose last output is the class scores (logits) of a softmax.

    layers: Layer instances; their parameters are (re)built here from `seed`, in order.
    input_shape: one example's shape, e.g. (784,) or (1, 28, 28); by default the first dense
        layer's in_features.
    classes: the name of each class, in the order of the outputs (default: the digits "0",
        "1", ...); kept in the model file. settable later as `network.classes`.
    threads: how many threads train it and compute its batched predictions (default:
        threads.default_threads(), the cores this process may use, capped by the user's
        OMP_NUM_THREADS or OPENBLAS_NUM_THREADS, one when other programs fill every core);
        settable later as `network.threads`.
    The network, not a layer, decides where an activation may work in place (layer.inplace):
    where its input is a fresh array that no other layer reads; and where images stay batch
    last, (C, H, W, N), between convolution and max-pooling layers (nn/layout.py).
    """

    def __init__(
        self,
        layers: list[Layer],
        input_shape: tuple[int, ...] | list[int] | None = None,
        seed: int = 0,
        dtype: str = "float32",
        threads: int | None = None,
        classes: Sequence[str] | None = None,
    ) -> None:
        layers = list(layers)
        if not layers or not all(isinstance(layer, Layer) for layer in layers):
            raise DigitnetError(f"expected a non-empty list of layers, got {layers!r}")
        if dtype not in DTYPES:
            raise DigitnetError(f"dtype must be float32 or float64, got {dtype!r}")
        self.input_shape = input_shape_of(layers, input_shape)
        self.dtype, self.seed = dtype, seed
        self.rng = np.random.default_rng(seed)  # initialisation, then dropout and shuffling
        self.layers = layers
        self.output_shape = self._check_shapes()
        for layer in layers:
            layer.build(self.rng, dtype)
        self.block = ParameterBlock(layers, dtype)
        self.loss = SoftmaxCrossEntropy()
        self._plan()
        self.threads = threads  # the setter takes None: the default
        self.classes = classes  # the setter takes None: digits
        self._parallel: DataParallel | None = None
        self._parallel_for: tuple = ()  # the threads and layers _parallel was made for
        self._parallel_lock = threading.Lock()

    def _check_shapes(self) -> tuple[int, ...]:
        """Each layer's output shape from the previous one; the last must be a vector."""
        shape = self.input_shape
        for i, layer in enumerate(self.layers):
            try:
                shape = layer.output_shape(shape)
            except DigitnetError as error:
                raise DigitnetError(f"layer {i} ({layer!r}): {error}") from None
        if len(shape) != 1:
            raise DigitnetError(f"the last layer must output class scores (C,), not {shape}")
        return shape

    def _plan(self) -> None:
        """Decide which layers pass no gradient to the data, which may work in place, and
        where images stay batch last between convolution and max-pooling (nn/layout.py)."""
        first = next((i for i, layer in enumerate(self.layers) if layer.params), None)
        for i, layer in enumerate(self.layers):
            layer.needs_input_grad = first is None or i > first
            # In place is safe when the input is a fresh array of the layer before, which
            # backward does not read again; never on the data (or what a dropout passed on).
            producer = i - 1
            while producer >= 0 and self.layers[producer].passes_input_through:
                producer -= 1
            layer.inplace = producer >= 0 and not self.layers[producer].keeps_output
        plan_layouts(self.layers, OWN_TYPES)

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}([\n  {inner}\n], input_shape={self.input_shape})"

    # --- the two passes -------------------------------------------------------------------
    def forward(
        self, x: np.ndarray, training: bool = False, activations: list | None = None
    ) -> np.ndarray:
        """Logits (N, C) for a batch x (N, *input_shape) already in the network's dtype.

        With a list as `activations`, each activation layer's output is appended to it (what
        the drawing page shows, and what the training diagnostics measure), always (N, ...);
        where the plan keeps images batch last it is a transposed view, not contiguous.
        In training mode the layers write into buffers they reuse from batch to batch: the
        logits (and activations) returned are overwritten by the next training forward; copy
        them to keep them.
        """
        return forward_pass(self.layers, x, training, activations)

    def backward(self, grad_logits: np.ndarray) -> None:
        """Backpropagate dL/dlogits (N, C) through every layer, filling each layer's grads."""
        backward_pass(self.layers, grad_logits)

    # --- threads --------------------------------------------------------------------------
    @property
    def threads(self) -> int:
        """The threads that train the network and compute its batched predictions."""
        return self._threads

    @threads.setter
    def threads(self, threads: int | None) -> None:
        self._threads = thread_count(threads)  # None: the default

    def threads_per_step(self, batch_size: int) -> int:
        """The threads that share a step of `batch_size` examples (parallel.MIN_SHARE_WORK)."""
        parallel = self.parallel
        return 1 if parallel is None else parallel.threads_for(batch_size)

    def blas_threads(self, batch_size: int) -> int:
        """The BLAS threads for steps of `batch_size` examples: 1 where our threads share the
        step (each runs its own products), else all of them for the one thread's products."""
        return 1 if self.threads_per_step(batch_size) > 1 else self._threads

    @property
    def parallel(self) -> DataParallel | None:
        """The layers' copies for a step split across self.threads threads; None on one thread,
        or when a layer is not one of digitnet's own (those run on one thread)."""
        wanted = (self._threads, tuple(id(layer) for layer in self.layers))
        with self._parallel_lock:
            if self._parallel_for != wanted:
                if self._parallel is not None:
                    self._parallel.close()
                splits = self._threads > 1 and splits_batches(self.layers)
                self._parallel = (
                    DataParallel(
                        self.layers, self.block, self.loss, self.input_shape, self._threads
                    )
                    if splits
                    else None
                )
                self._parallel_for = wanted
            return self._parallel

    def input_gradient(self, x: np.ndarray, classes: np.ndarray) -> np.ndarray:
        """d logits[n, classes[n]] / d x[n] for a batch x (N, *input_shape) of the evaluated
        network: how each input pixel pushes the score of that class (the page's "why" map).

        The training backward pass, from dL/dlogits = one-hot(classes) (N, C), with every layer
        passing its gradient on to the data. Forward runs in training mode (which keeps what
        backward reads and computes evaluation's output), except in the layers that compute
        something else while training (dropout, batch norm): those run their evaluation forward,
        which keeps what their backward needs. Overwrites the layers' grads; returns a new array
        (not a layer's reused buffer, which the next call would overwrite)."""
        for layer in self.layers:
            x = layer.forward(x, training=not layer.trains_differently)
        grad = np.zeros_like(x)  # dL/dlogits (N, C) for L = the chosen classes' scores
        grad[np.arange(len(x)), classes] = 1
        planned = [layer.needs_input_grad for layer in self.layers]
        try:
            for layer in self.layers:
                layer.needs_input_grad = True
            for layer in reversed(self.layers):
                passed = layer.backward(grad)
                assert passed is not None  # every layer was asked for its input's gradient
                grad = passed
        finally:
            for layer, needed in zip(self.layers, planned):
                layer.needs_input_grad = needed
        return grad.copy()  # (N, *input_shape)

    # --- parameters -----------------------------------------------------------------------
    def parameters(self) -> dict[str, np.ndarray]:
        """Every trainable tensor by name, "{layer index}.{name}" (views into one block)."""
        return {
            f"{i}.{key}": array
            for i, layer in enumerate(self.layers)
            for key, array in layer.params.items()
        }

    def gradients(self) -> dict[str, np.ndarray]:
        """The gradient of each tensor in parameters(), by the same names."""
        return {
            f"{i}.{key}": array
            for i, layer in enumerate(self.layers)
            for key, array in layer.grads.items()
        }

    def copy(self, dtype: str | None = None) -> Network:
        """A network of the same layers, weights and state (in `dtype`, by default this one's),
        sharing no array with this one (a deep copy would not do: the copy's parameters must be
        views into its own block)."""
        layers = [layer_from_config(layer.config()) for layer in self.layers]
        twin = Network(layers, self.input_shape, seed=self.seed, dtype=dtype or self.dtype)
        twin.classes = self.class_names
        twin.flat_params[...] = self.flat_params
        for ours, theirs in zip(twin.layers, self.layers):
            for key, array in theirs.state.items():
                ours.state[key][...] = array
        return twin

    @property
    def flat_params(self) -> np.ndarray:
        """All parameters in one flat array (parameters() are views into it)."""
        return self.block.params

    @property
    def flat_grads(self) -> np.ndarray:
        """All gradients in one flat array, laid out as flat_params."""
        return self.block.grads

    @property
    def n_classes(self) -> int:
        """The number of classes the network scores."""
        return self.output_shape[0]

    @property
    def classes(self) -> tuple[str, ...]:
        """The name of each class, in the order of the outputs: the digits "0", "1", ... unless
        the network was given names (by its data's classes.txt or --classes, or in code)."""
        return self.class_names or digit_names(self.n_classes)

    @classes.setter
    def classes(self, names: Sequence[str] | None) -> None:
        if names is None:
            self.class_names: tuple[str, ...] | None = None
            return
        names = check_names(list(names), "classes")
        if len(names) != self.n_classes:
            raise DigitnetError(
                f"classes: {len(names)} names for a network of {self.n_classes} classes"
            )
        self.class_names = None if names == digit_names(self.n_classes) else names

    @property
    def reads_digits(self) -> bool:
        """Whether the classes are the ten digits, so that a picture can be read as a number."""
        return self.classes == digit_names(10)

    @property
    def n_inputs(self) -> int:
        """The number of input values per example (pixels)."""
        return int(np.prod(self.input_shape))

    def activation_names(self) -> list[str]:
        """The config type of each activation layer, in order (relu, sigmoid, ...)."""
        return [layer.type_name for layer in self.layers if layer.is_activation]

    def set_dropout(self, dropout: float = 0.0, input_dropout: float = 0.0) -> None:
        """Put inverted dropout after every activation but the last layer's (rate `dropout`)
        and on the input (rate `input_dropout`), replacing any dropout there was. Training only:
        evaluation is unchanged."""
        rates = (Dropout(dropout), Dropout(input_dropout))  # checks both rates first
        layers = [layer for layer in self.layers if not isinstance(layer, Dropout)]
        last_weights = max((i for i, layer in enumerate(layers) if layer.params), default=0)
        rebuilt: list[Layer] = [rates[1]] if input_dropout else []
        for i, layer in enumerate(layers):
            rebuilt.append(layer)
            if dropout and layer.is_activation and i < last_weights:
                rebuilt.append(Dropout(dropout))
        for layer in rebuilt:
            if isinstance(layer, Dropout):
                layer.build(self.rng, self.dtype)
        self.layers = rebuilt
        self.block.reindex(self.layers)
        self._plan()

    # --- the user-facing API -------------------------------------------------------------
    def check_input(self, X: np.ndarray, y: np.ndarray | None = None) -> None:
        """Raise DigitnetError unless X holds examples of input_shape (or flattened), and y (if
        given) one integer label in 0..C-1 per example."""
        X = np.asarray(X)
        if X.shape[1:] not in (self.input_shape, (self.n_inputs,)):
            expected = ", ".join(str(n) for n in self.input_shape)
            raise DigitnetError(f"expected input of shape (n, {expected}), got {X.shape}")
        if y is not None:
            y = np.asarray(y)
            if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer):
                raise DigitnetError(f"expected {len(X)} integer labels, got {y.dtype} {y.shape}")
            if len(y) and (y.min() < 0 or y.max() >= self.n_classes):
                raise DigitnetError(
                    f"labels must be in 0..{self.n_classes - 1}, found {y.min()}..{y.max()}"
                )

    def predict_logits(self, X: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        """Logits (n, C) for images X: uint8 0-255 or floats in [0, 1], `batch_size` at a time
        (by default 8192 for pixel vectors, 128 for images: a convolution's patch matrix holds
        up to a megabyte per image). Each chunk is split across self.threads threads."""
        self.check_input(X)
        if batch_size is None:
            batch_size = 8192 if len(self.input_shape) == 1 else 128
        X = np.asarray(X).reshape(len(X), *self.input_shape)
        if len(X) < 2 * self._threads:  # a few images (often one): not worth the threads
            return self.forward(as_input(X, self.dtype))
        parallel = self.parallel
        run = self.forward if parallel is None else parallel.predict
        with blas_threads(self.blas_threads(min(batch_size, len(X)))):
            chunks = [
                run(as_input(X[i : i + batch_size], self.dtype))
                for i in range(0, len(X), batch_size)
            ]
        return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)

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

    def save(self, path: str | Path) -> None:
        """Save to one .npz model file (format version 2), written atomically."""
        save_model_file(path, self.layers, self.input_shape, self.dtype, self.class_names)

    @classmethod
    def load(cls: type[N], path: str | Path) -> N:
        """Load a model file (version 1 or 2), checking every array against its layers."""
        return cls.from_file(path)[0]

    @classmethod
    def from_file(cls: type[N], path: str | Path) -> tuple[N, dict[str, np.ndarray]]:
        """Load a model file; also return its arrays that are not weights (a checkpoint's)."""
        file = read_model_file(path)
        network = cls.__new__(cls)  # not cls(...): a subclass's constructor may differ (MLP)
        Network.__init__(
            network, file.layers, file.input_shape, dtype=file.dtype, classes=file.classes
        )
        load_weights(path, network.layers, file.weights)
        return network, file.others
