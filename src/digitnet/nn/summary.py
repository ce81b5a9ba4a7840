"""A network as a table, as Keras' model.summary() and torchinfo show one: per layer its output
shape, its parameters, its multiply-adds per image (Layer.multiply_adds) and the memory its
output takes for a batch, with the totals (docs/cli.md shows one).

"Output, batch of B" is B times the output's values times the bytes of one: what the forward
pass writes for that layer. Training keeps most of them for the backward pass; a ReLU that works
in place writes over its input's, so a training step may hold less than the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DigitnetError

if TYPE_CHECKING:
    from .network import Network


@dataclass
class LayerSummary:
    """One row: a layer's --layers term, the shape of one image's output, its trained
    parameters, its saved untrained values (batch norm's running statistics), its
    multiply-adds for one image and its output's bytes for a batch."""

    term: str
    output_shape: tuple[int, ...]
    parameters: int
    state: int
    multiply_adds: int
    output_bytes: int


def layer_summaries(network: Network, batch_size: int) -> list[LayerSummary]:
    """The rows of network's summary, for batches of batch_size images."""
    from .spec import spec_of
    from .work import multiply_adds

    itemsize = np.dtype(network.dtype).itemsize
    rows, shape = [], network.input_shape
    for layer, work in zip(network.layers, multiply_adds(network)):
        shape = layer.output_shape(shape)
        rows.append(
            LayerSummary(
                term=spec_of(layer),
                output_shape=shape,
                parameters=sum(p.size for p in layer.params.values()),
                state=sum(s.size for s in layer.state.values()),
                multiply_adds=work,
                output_bytes=batch_size * int(np.prod(shape)) * itemsize,
            )
        )
    return rows


def summary_table(network: Network, batch_size: int = 128) -> str:
    """The summary as text: a row per layer, the totals, the input and the parameters' size."""
    if batch_size < 1:
        raise DigitnetError(f"batch_size must be >= 1, got {batch_size}")
    rows = layer_summaries(network, batch_size)
    header = ("#", "layer", "output shape", "parameters", "multiply-adds",
              f"output, batch of {batch_size}")  # fmt: skip
    cells = [
        (str(i), r.term, _shape(r.output_shape), f"{r.parameters + r.state:,}",
         f"{r.multiply_adds:,}", _bytes(r.output_bytes))
        for i, r in enumerate(rows)
    ]  # fmt: skip
    parameters = sum(r.parameters for r in rows)
    state = sum(r.state for r in rows)
    total = ("", "total", "", f"{parameters + state:,}", f"{sum(r.multiply_adds for r in rows):,}",
             _bytes(sum(r.output_bytes for r in rows)))  # fmt: skip
    widths = [max(len(row[k]) for row in [header, *cells, total]) for k in range(len(header))]
    right = (False, False, False, True, True, False)  # numbers right-aligned

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(row, widths, right)
        ).rstrip()

    rule = "-" * len(line(header))
    itemsize = np.dtype(network.dtype).itemsize
    trained = f"{parameters:,} trained" + (f", {state:,} running statistics" if state else "")
    return "\n".join(
        [
            f"input: {_shape(network.input_shape)} per image, {network.dtype}",
            line(header),
            rule,
            *(line(c) for c in cells),
            rule,
            line(total),
            f"parameters: {trained} ({_bytes((parameters + state) * itemsize)})",
        ]
    )


def _shape(shape: tuple[int, ...]) -> str:
    """(16, 28, 28) as "16 x 28 x 28"."""
    return " x ".join(str(n) for n in shape)


def _bytes(count: int) -> str:
    """A size in bytes as B, or KiB or MiB with one decimal."""
    if count < 1024:
        return f"{count} B"
    if count < 1024**2:
        return f"{count / 1024:.1f} KiB"
    return f"{count / 1024**2:.1f} MiB"
