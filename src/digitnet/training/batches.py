"""An epoch's mini-batches for the training loop: the images in a shuffled order, converted to the
network's dtype and shape a batch at a time, and randomly distorted when the run asks for it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from ..data.augment import Augmentation, augment_batch
from ..nn.buffers import Buffers
from ..nn.inputs import as_input
from ..nn.network import Network


class Batches:
    """The (x, labels) mini-batches of one epoch, in `order`, pixels converted to the model's
    dtype and input shape; with `augment`, each batch randomly distorted (with model.rng).

    The images stay in their compact form (uint8: 47 MB for MNIST) and each batch is converted
    into one reused float buffer, rather than holding a float copy of the whole set (188 MB).
    augment_seconds: the time spent distorting, so far.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        order: np.ndarray,
        batch_size: int,
        model: Network,
        augment: Augmentation | None = None,
    ) -> None:
        self.X, self.y, self.order, self.batch_size = X, y, order, batch_size
        self.model, self.augment = model, augment
        self.augment_seconds = 0.0

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield each batch, converted into the same buffer (the previous one is overwritten)."""
        model, buffers = self.model, Buffers()
        for first in range(0, len(self.X), self.batch_size):
            indices = self.order[first : first + self.batch_size]
            images = self.X[indices].reshape(len(indices), *model.input_shape)
            x = as_input(images, model.dtype, out=buffers.get("x", images.shape, model.dtype))
            if self.augment is not None:
                started = time.perf_counter()
                x = augment_batch(x, model.rng, self.augment)
                self.augment_seconds += time.perf_counter() - started
            yield x, self.y[indices]
