"""A digitnet model as an ONNX graph: each layer's operations (Layer.to_onnx) in order, then a
Softmax, with the logits and the probabilities both named outputs.

    pixels (N, 784) or (N, 1, 28, 28), floats in [0, 1]
      -> Gemm / Conv / MaxPool / Relu / BatchNormalization / Flatten ... -> logits (N, 10)
      -> Softmax(axis 1) -> probabilities (N, 10)

The batch axis is named N (any size). The graph takes pixels as digitnet's predict does after
scaling: 0 for paper, 1 for ink, as MNIST's images divided by 255. Weights are float32, whatever
the model's dtype, as ONNX runtimes expect.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from .._version import __version__
from .optional import optional

if TYPE_CHECKING:
    from ..nn.network import Network

OPSET = 17  # ONNX's operator set: every operation written here is in it
IR_VERSION = 8  # the file format's version that opset 17 came with: older runtimes read it
INPUT = "pixels"
PIXELS = "float pixels in [0, 1] (ink 1, paper 0), as MNIST's images / 255"


class Graph:
    """The nodes and weights of the graph being written (nn.layer.OnnxGraph), named by layer:
    layer 3's weights are "3.W", its first operation's output "3.Gemm"."""

    def __init__(self) -> None:
        self.helper = optional("onnx").helper
        self.nodes: list = []
        self.weights: list = []
        self.layer = 0  # the layer writing now

    def tensor(self, name: str, array: np.ndarray) -> str:
        """Store a layer's constant (as float32) and return its name in the graph."""
        from onnx import numpy_helper

        full = f"{self.layer}.{name}"
        self.weights.append(numpy_helper.from_array(np.asarray(array, np.float32), full))
        return full

    def node(self, op: str, inputs: list[str], **attributes: object) -> str:
        """Add operation `op` on `inputs`; return its output's name."""
        output = f"{self.layer}.{op}"
        while any(output in node.output for node in self.nodes):
            output += "'"  # a layer's second operation of the same kind
        self.nodes.append(self.helper.make_node(op, inputs, [output], **attributes))
        return output


def onnx_model(model: Network) -> object:
    """The model as an onnx.ModelProto, checked by onnx.checker."""
    onnx = optional("onnx")
    helper = onnx.helper
    graph = Graph()
    x, shape = INPUT, model.input_shape
    for index, layer in enumerate(model.layers):
        graph.layer = index
        x = layer.to_onnx(graph, x, shape)
        shape = layer.output_shape(shape)
    graph.layer = len(model.layers)
    nodes = graph.nodes
    nodes.append(helper.make_node("Identity", [x], ["logits"]))
    nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1))
    float32 = onnx.TensorProto.FLOAT
    inputs = [helper.make_tensor_value_info(INPUT, float32, ["N", *model.input_shape])]
    inputs[0].doc_string = PIXELS
    outputs = [
        helper.make_tensor_value_info(name, float32, ["N", *model.output_shape])
        for name in ("logits", "probabilities")
    ]
    made = helper.make_model(
        helper.make_graph(nodes, "digitnet", inputs, outputs, graph.weights),
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
        producer_name="digitnet",
        producer_version=__version__,
    )
    helper.set_model_props(made, metadata(model))
    onnx.checker.check_model(made, full_check=True)
    return made


def metadata(model: Network) -> dict[str, str]:
    """What the file says of itself: who made it, the layers, the input, the classes."""
    from ..nn.spec import spec_of

    return {
        "digitnet_version": __version__,
        "layers": ", ".join(spec_of(layer) for layer in model.layers),
        "input": f"{INPUT}: (N, {', '.join(map(str, model.input_shape))}) {PIXELS}",
        "classes": json.dumps(list(model.classes)),
    }


def onnx_bytes(model: Network) -> bytes:
    """The model's ONNX file, as bytes."""
    return onnx_model(model).SerializeToString()  # type: ignore[attr-defined]
