"""One block of memory for all parameters, and a view per tensor (as llm.c does).

Every layer's params["W"] etc. become views into one flat array, and its grads into another, so the
layers work exactly as before, while an optimizer updates all the weights with a handful of NumPy
calls per step, whatever the model. The tensors that weight decay applies to (each layer's
`decay`, e.g. dense W) come first and the rest (biases) after, so that "decay these, not those" is
two slices of the same block.
"""

from __future__ import annotations

import numpy as np

from .layer import Layer


class ParameterBlock:
    """The parameters of `layers`, packed: `params` and `grads` are flat arrays, each tensor a
    view into them; `names` lists "{layer index}.{param name}" in packing order; the decayed
    tensors fill params[:n_decay]."""

    def __init__(self, layers: list[Layer], dtype: str) -> None:
        named = [(layer, key) for layer in layers for key in layer.params]
        decayed = [(layer, key) for layer, key in named if key in layer.decay]
        ordered = decayed + [(layer, key) for layer, key in named if key not in layer.decay]
        self.params = np.empty(sum(layer.params[key].size for layer, key in ordered), dtype)
        self.grads = np.zeros_like(self.params)
        self.n_decay = sum(layer.params[key].size for layer, key in decayed)
        self._entries: list[tuple[Layer, str, slice]] = []
        offset = 0
        for layer, key in ordered:
            shape, where = layer.params[key].shape, slice(offset, offset + layer.params[key].size)
            self.params[where] = layer.params[key].ravel()
            layer.params[key] = self.params[where].reshape(shape)
            layer.grads[key] = self.grads[where].reshape(shape)
            self._entries.append((layer, key, where))
            offset = where.stop
        self.reindex(layers)

    def reindex(self, layers: list[Layer]) -> None:
        """Name the tensors by their layers' positions in `layers` (after a layer was inserted)."""
        position = {id(layer): i for i, layer in enumerate(layers)}
        self.slices = {
            f"{position[id(layer)]}.{key}": where for layer, key, where in self._entries
        }
        self.names = list(self.slices)

    def point_grads(self, layers: list[Layer], copies: list[Layer], flat: np.ndarray) -> None:
        """Make the grads of copies[i] (a copy of layers[i]) views into `flat`, an array laid
        out as `grads`: a thread's own gradients, added to the others' after its step."""
        copy_of = {id(layer): twin for layer, twin in zip(layers, copies)}
        for layer, key, where in self._entries:
            copy_of[id(layer)].grads[key] = flat[where].reshape(layer.params[key].shape)

    def groups(self, split_decay: bool) -> tuple[list[np.ndarray], list[np.ndarray], list[bool]]:
        """(params, grads, decay) for an optimizer step: with split_decay, the decayed and the
        other tensors as two groups; else one group (fewer NumPy calls per step)."""
        decay = [True, False] if split_decay else [True]
        return self.cut(self.params, split_decay), self.cut(self.grads, split_decay), decay

    def cut(self, flat: np.ndarray, split_decay: bool) -> list[np.ndarray]:
        """A flat array laid out like `params`, as the groups of `groups` (views)."""
        if not split_decay:
            return [flat]
        return [flat[: self.n_decay], flat[self.n_decay :]]

    def split(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """Name each tensor's part of a flat array laid out like `params` (views, not copies)."""
        return {name: flat[where] for name, where in self.slices.items()}

    def join(self, named: dict[str, np.ndarray]) -> np.ndarray:
        """The flat array whose parts are `named` (the inverse of split)."""
        flat = np.empty_like(self.params)
        for name, where in self.slices.items():
            flat[where] = np.ravel(named[name])
        return flat
