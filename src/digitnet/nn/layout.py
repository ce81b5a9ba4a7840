"""Where a network keeps a batch of images batch last, (C, H, W, N), instead of (N, C, H, W).

A convolution computes in the batch-last layout (its patch matrix has a column per position of
every image, nn/conv.py), and max-pooling's and batch norm's loops run as well in either. If
every layer took and gave (N, C, H, W), each convolution would transpose its input in and its
output out, forward and backward. So the network, not a layer, decides: between two layers that
can change the layout (convolution, max-pooling), with only layers that keep whatever layout
they are given in between (element-wise activations, batch norm), images stay batch last:

    data (N,C,H,W) -> conv -> (C,H,W,N) -> relu -> (C,H,W,N) -> maxpool -> (C,H,W,N) -> conv
        -> (C,H,W,N) -> relu -> maxpool -> (N,C,H,W) -> flatten -> dense ...

The network's input and output, what flatten and a dense layer see, the activations a forward
pass hands out (Network.forward's `activations`), the model file and each layer's own shapes
stay (N, C, H, W). Layers that are not digitnet's own (a learner's) always get (N, C, H, W).
"""

from __future__ import annotations

import numpy as np

from .layer import Layer


def images_first(x: np.ndarray, batch_last: bool) -> np.ndarray:
    """x as (N, C, H, W) (a view: nothing is copied), given whether it is (C, H, W, N)."""
    return x.transpose(3, 0, 1, 2) if batch_last else x


def in_layout(x: np.ndarray, from_batch_last: bool, to_batch_last: bool) -> np.ndarray:
    """Images x of one layout viewed in the other (or x itself): (N,C,H,W) <-> (C,H,W,N)."""
    if from_batch_last == to_batch_last:
        return x
    return x.transpose(3, 0, 1, 2) if from_batch_last else x.transpose(1, 2, 3, 0)


def plan_layouts(layers: list[Layer], own_types: tuple[type[Layer], ...]) -> list[bool]:
    """Whether images are batch last at each boundary: index b is between layers[b - 1] and
    layers[b] (0: the data, len(layers): the output), and set each layer's input_batch_last and
    output_batch_last from the boundaries around it.

    A boundary is batch last when the nearest layer on each side that does not simply follow
    the layout (follows_layout) is one that converts it (converts_layout), and every layer
    from one to the other is of `own_types` (digitnet's, layers.OWN_TYPES).
    """

    def role(layer: Layer) -> str:
        if type(layer) not in own_types:
            return "other"
        return "follows" if layer.follows_layout else "converts" if layer.converts_layout else ""

    roles = [role(layer) for layer in layers]
    batch_last = [False] * (len(layers) + 1)
    for b in range(1, len(layers)):
        left, right = b - 1, b
        while left >= 0 and roles[left] == "follows":
            left -= 1
        while right < len(layers) and roles[right] == "follows":
            right += 1
        batch_last[b] = (
            left >= 0
            and right < len(layers)
            and roles[left] == "converts"
            and roles[right] == "converts"
        )
    for i, layer in enumerate(layers):
        layer.input_batch_last, layer.output_batch_last = batch_last[i], batch_last[i + 1]
    return batch_last
