"""A digitnet model as the tensors of a torch.nn.Sequential, in a safetensors file.

The Sequential has a module for each digitnet layer, in the same order (Layer.torch_module),
activations, flatten and dropout included, so the names are those PyTorch gives it: layer 0's
Linear weight is "0.weight", layer 2's "2.weight", a batch norm's running statistics
"4.running_mean". The file's metadata holds the Sequential's code ("torch_sequential", with
torch.nn imported as nn), which `digitnet export` prints, to paste into a program. Written with
the safetensors package's NumPy API: PyTorch is not needed to export.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from .._version import __version__
from .optional import optional

if TYPE_CHECKING:
    from ..nn.network import Network


def torch_sequential(model: Network) -> str:
    """The code of the torch.nn.Sequential the tensors fit, one module per digitnet layer."""
    modules, shape = [], model.input_shape
    for layer in model.layers:
        modules.append(layer.torch_module(shape))
        shape = layer.output_shape(shape)
    return f"nn.Sequential({', '.join(modules)})"


def state_dict(model: Network) -> dict[str, np.ndarray]:
    """Every layer's tensors under the Sequential's state_dict names, contiguous, in the
    model's dtype (PyTorch's num_batches_tracked: int64)."""
    tensors = {}
    for index, layer in enumerate(model.layers):
        for name, array in layer.torch_state().items():
            tensors[f"{index}.{name}"] = np.ascontiguousarray(array)
    return tensors


def safetensors_bytes(model: Network) -> bytes:
    """The model's safetensors file, as bytes."""
    numpy = optional("safetensors.numpy")
    meta = {
        "format": "pt",
        "digitnet_version": __version__,
        "torch_sequential": torch_sequential(model),
        "input": f"(N, {', '.join(map(str, model.input_shape))}) float pixels in [0, 1]",
        "classes": json.dumps(list(model.classes)),
    }
    return bytes(numpy.save(state_dict(model), metadata=meta))
