"""An ONNX graph read back as a digitnet model: its operations walked from the input to the
output, each turned into the digitnet layer that computes the same.

    Gemm, MatMul (+ Add)  -> dense        Conv -> conv       MaxPool -> maxpool
    BatchNormalization    -> batchnorm    Relu, LeakyRelu, Sigmoid, Tanh -> the activations
    Flatten, Reshape to (N, -1) -> flatten                  GlobalAveragePool -> global_avgpool
    Identity, Dropout, a final Softmax or LogSoftmax, and the shape arithmetic PyTorch's exporter
    writes around a flatten (Shape, Gather, Unsqueeze, Concat, Constant) -> nothing

The file is untrusted: its size is bounded, a tensor stored outside it (external data) is
refused, nothing in it is run; an operation digitnet does not have is named in one line. An
input normalisation the model was trained with, (x - mean) / std, is folded into the first
layer's weights, so the model reads digitnet's pixels in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DigitnetError
from ..model import Sequential
from ..nn.activations import LeakyReLU, ReLU, Sigmoid, Tanh
from ..nn.batchnorm import BatchNorm
from ..nn.conv import Conv2D
from ..nn.dense import Dense
from ..nn.flatten import Flatten
from ..nn.layer import Layer
from ..nn.pooling import GlobalAvgPool, MaxPool2D
from .optional import optional

MAX_BYTES = 256 * 1024 * 1024  # far above any digit reader's size
PASS_THROUGH = ("Identity", "Dropout")
SHAPE_OPS = ("Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Constant", "Cast")
ACTIVATIONS = {"Relu": ReLU, "Sigmoid": Sigmoid, "Tanh": Tanh}
BATCH = "N"  # the batch size, in the shape arithmetic


def import_onnx(path: str | Path, mean: float = 0.0, std: float = 1.0) -> Sequential:
    """The ONNX model in `path` as a digitnet model with the file's weights; `mean` and `std`:
    the input normalisation it was trained with, folded into its first layer."""
    graph = _load(Path(path)).graph
    name = str(path)
    constants = _constants(graph, name)
    inputs = [i for i in graph.input if i.name not in constants]
    if len(inputs) != 1:
        raise DigitnetError(f"{name}: expected one input, found {len(inputs)}")
    shape = _input_shape(inputs[0], name)
    walk = _Walk(name, constants, inputs[0].name, shape)
    for node in graph.node:
        walk.visit(node)
    found = walk.found
    if not any(f.arrays for f in found):
        raise DigitnetError(f"{name}: no layer with weights found between input and output")
    if (mean, std) != (0.0, 1.0):
        _fold_normalisation(found[0], mean, std, name)
    model = Sequential([f.layer for f in found], input_shape=walk.input_shape)
    for f in found:  # into the arrays the network built (its packed parameter block)
        for key, array in {**f.arrays, **f.state}.items():
            target = {**f.layer.params, **f.layer.state}[key]
            if array.shape != target.shape:
                raise DigitnetError(f"{name}: {key} of {f.layer!r} is {array.shape}")
            target[...] = array
    return model


@dataclass
class _Found:
    """A layer read from the graph, and the file's arrays for its params and state."""

    layer: Layer
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    state: dict[str, np.ndarray] = field(default_factory=dict)


def _load(path: Path) -> Any:
    """The file parsed as an onnx.ModelProto, after checking its size; no external data."""
    onnx = optional("onnx")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DigitnetError(f"{path}: file not found") from None
    if size > MAX_BYTES:
        raise DigitnetError(f"{path}: {size:,} bytes, more than an ONNX model may have here")
    try:
        model = onnx.load_model_from_string(path.read_bytes())
    except Exception:  # protobuf's DecodeError and kin: any damage reads as not ONNX
        raise DigitnetError(f"{path}: not an ONNX model (or a damaged one)") from None
    if not model.graph.node:
        raise DigitnetError(f"{path}: not an ONNX model (no graph in it)")
    for tensor in model.graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            raise DigitnetError(
                f"{path}: tensor {tensor.name!r} is stored in another file; digitnet reads "
                "only models whose weights are inside them"
            )
    return model


def _constants(graph: Any, name: str) -> dict[str, np.ndarray]:
    """The graph's initializers and Constant nodes' values, by name."""
    from onnx import numpy_helper

    values = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            for attribute in node.attribute:
                if attribute.name == "value":
                    values[node.output[0]] = numpy_helper.to_array(attribute.t)
                elif attribute.name in ("value_ints", "value_int"):
                    values[node.output[0]] = np.array(
                        list(attribute.ints) if attribute.ints else attribute.i
                    )
    return values


def _input_shape(given: Any, name: str) -> tuple[int, ...]:
    """One example's shape from the graph input's (batch, ...) dimensions."""
    dims = given.type.tensor_type.shape.dim
    shape = tuple(d.dim_value for d in dims[1:])
    if len(dims) not in (2, 4) or not all(shape):
        raise DigitnetError(
            f"{name}: input {given.name!r} should be (N, pixels) or (N, C, H, W) with sizes, "
            f"got {[d.dim_param or d.dim_value for d in dims]}"
        )
    return shape


class _Walk:
    """The layers found so far along the main path (from the input), and the shape there."""

    def __init__(self, name: str, constants: dict, start: str, shape: tuple[int, ...]) -> None:
        self.name, self.constants = name, constants
        self.input_shape = shape
        self.current, self.shape = start, shape  # the main path's tensor and its shape
        self.found: list[_Found] = []
        self.shapes: dict[str, list[Any]] = {}  # the shape arithmetic's values ("N" for the batch)
        self.ended = False

    def visit(self, node: Any) -> None:
        """Turn one node into a layer, follow the shape arithmetic, or refuse it."""
        op = node.op_type
        if op in SHAPE_OPS:
            self._shape_op(node)
            return
        if not node.input or node.input[0] != self.current:
            if any(i == self.current for i in node.input):
                raise self._unsupported(node, "reads the data other than as its first input")
            return  # not on the main path (a branch the output does not use)
        if self.ended:
            raise self._unsupported(node, "comes after the softmax")
        found = self._layer(node)
        if found is not None:
            try:
                self.shape = found.layer.output_shape(self.shape)
            except DigitnetError as error:
                raise self._unsupported(node, f"cannot take its input: {error}") from None
            self.found.append(found)
        self.current = node.output[0]

    def _layer(self, node: Any) -> _Found | None:
        """The digitnet layer of one node on the main path (None: it changes nothing)."""
        op, attrs = node.op_type, _attributes(node)
        if op in PASS_THROUGH:
            return None
        if op in ("Softmax", "LogSoftmax"):
            self.ended = True
            return None
        if op in ACTIVATIONS:
            return _Found(ACTIVATIONS[op]())
        if op == "LeakyRelu":
            return _Found(LeakyReLU(float(attrs.get("alpha", 0.01))))
        if op == "Gemm":
            return self._gemm(node, attrs)
        if op == "MatMul":
            return self._dense(self._constant(node, 1), None, node)
        if op == "Add" and self.found and isinstance(self.found[-1].layer, Dense):
            self.found[-1].arrays["b"] = self.found[-1].arrays["b"] + self._constant(node, 1)
            return None  # MatMul, then Add: one dense layer
        if op == "Conv":
            return self._conv(node, attrs)
        if op == "MaxPool":
            return self._max_pool(node, attrs)
        if op == "BatchNormalization":
            return self._batch_norm(node, attrs)
        if op == "GlobalAveragePool":
            return _Found(GlobalAvgPool())
        if op in ("Flatten", "Reshape"):
            return self._flatten(node, attrs)
        raise self._unsupported(node, "is not an operation digitnet has")

    def _constant(self, node: Any, index: int) -> np.ndarray:
        """Input `index` of a node, which must be a weight stored in the file."""
        if index >= len(node.input) or node.input[index] not in self.constants:
            raise self._unsupported(node, f"takes a computed input {index}, not a weight")
        return np.asarray(self.constants[node.input[index]], dtype=np.float32)

    def _gemm(self, node: Any, attrs: dict) -> _Found:
        if attrs.get("transA", 0):
            raise self._unsupported(node, "transposes its input (transA)")
        W = self._constant(node, 1) * float(attrs.get("alpha", 1.0))
        W = W.T if attrs.get("transB", 0) else W  # digitnet keeps W as (in, out)
        b = (
            self._constant(node, 2) * float(attrs.get("beta", 1.0))
            if len(node.input) > 2
            else None
        )
        return self._dense(W, b, node)

    def _dense(self, W: np.ndarray, b: np.ndarray | None, node: Any) -> _Found:
        if len(self.shape) != 1 or W.ndim != 2 or W.shape[0] != self.shape[0]:
            raise self._unsupported(node, f"has weights {W.shape} for an input {self.shape}")
        bias = np.zeros(W.shape[1], np.float32) if b is None else b
        return _Found(Dense(W.shape[0], W.shape[1]), {"W": W, "b": bias})

    def _conv(self, node: Any, attrs: dict) -> _Found:
        W = self._constant(node, 1)
        strides = list(attrs.get("strides", [1, 1]))
        pads = list(attrs.get("pads", [0, 0, 0, 0]))
        if (
            W.ndim != 4
            or W.shape[2] != W.shape[3]
            or attrs.get("group", 1) != 1
            or list(attrs.get("dilations", [1, 1])) != [1, 1]
            or len(set(strides)) != 1
            or len(set(pads)) != 1
            or attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET")
        ):
            raise self._unsupported(node, "is not a square, ungrouped, evenly padded conv")
        layer = Conv2D(W.shape[1], W.shape[0], W.shape[2], stride=strides[0], padding=pads[0])
        b = self._constant(node, 2) if len(node.input) > 2 else np.zeros(W.shape[0], np.float32)
        return _Found(layer, {"W": W, "b": b})

    def _max_pool(self, node: Any, attrs: dict) -> _Found:
        kernel = list(attrs.get("kernel_shape", []))
        strides = list(attrs.get("strides", kernel))
        if (
            len(set(kernel)) != 1
            or len(set(strides)) != 1
            or any(attrs.get("pads", [0]))
            or attrs.get("ceil_mode", 0)
            or any(d != 1 for d in attrs.get("dilations", [1]))
        ):
            raise self._unsupported(node, "is not a square max-pooling without padding")
        return _Found(MaxPool2D(kernel[0], stride=strides[0]))

    def _batch_norm(self, node: Any, attrs: dict) -> _Found:
        gamma, beta, mean, var = (self._constant(node, i) for i in range(1, 5))
        momentum = 1.0 - float(attrs.get("momentum", 0.9))  # ONNX keeps that share of the old
        layer = BatchNorm(len(gamma), eps=float(attrs.get("epsilon", 1e-5)), momentum=momentum)
        state = {"running_mean": mean, "running_var": var}
        return _Found(layer, {"gamma": gamma, "beta": beta}, state)

    def _flatten(self, node: Any, attrs: dict) -> _Found | None:
        if node.op_type == "Flatten" and attrs.get("axis", 1) != 1:
            raise self._unsupported(node, "flattens from an axis other than 1")
        if node.op_type == "Reshape":
            target = self._target(node)
            if len(target) != 2 and not self.found:  # (N, 784) -> (N, 1, 28, 28) first
                shape = tuple(int(n) for n in target[1:])
                if int(np.prod(shape)) != int(np.prod(self.shape)) or len(shape) != 3:
                    raise self._unsupported(node, f"reshapes the input to {target}")
                self.input_shape = self.shape = shape
                return None
            if len(target) != 2:
                raise self._unsupported(node, f"reshapes to {target}, not to (N, -1)")
        return _Found(Flatten()) if len(self.shape) > 1 else None

    def _target(self, node: Any) -> list:
        """A Reshape's target shape: stored in the file, or computed by the shape arithmetic."""
        source = node.input[1]
        if source in self.shapes:
            return self.shapes[source]
        if source in self.constants:
            return [int(n) for n in np.asarray(self.constants[source]).reshape(-1)]
        raise self._unsupported(node, "takes a shape digitnet cannot work out")

    def _shape_op(self, node: Any) -> None:
        """Follow the shape arithmetic around a flatten: Shape of the data, Gather, Unsqueeze,
        Concat, Cast (values are lists, the batch size BATCH); Constant is read beforehand."""
        op = node.op_type
        if op == "Constant":
            return
        values: list[list[Any]] = []
        for name in node.input:
            if name == self.current:
                values.append([BATCH, *self.shape])
            elif name in self.shapes:
                values.append(self.shapes[name])
            elif name in self.constants:
                values.append([int(n) for n in np.asarray(self.constants[name]).reshape(-1)])
            else:
                return  # arithmetic on something else: what uses it will say
        if op == "Shape":
            out = values[0]
        elif op == "Gather":
            out = [values[0][i] for i in values[1]]
        elif op == "Concat":
            out = [v for part in values for v in part]
        else:  # Unsqueeze, Squeeze, Cast: the same values, as far as a shape goes
            out = values[0]
        self.shapes[node.output[0]] = out

    def _unsupported(self, node: Any, why: str) -> DigitnetError:
        label = f" ({node.name})" if node.name else ""
        return DigitnetError(
            f"{self.name}: the {node.op_type} operation{label} {why}; digitnet reads Gemm, "
            "MatMul, Conv, MaxPool, BatchNormalization, Relu, LeakyRelu, Sigmoid, Tanh, "
            "Flatten, GlobalAveragePool and Softmax"
        )


def _attributes(node: Any) -> dict:
    """A node's attributes as Python values."""
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _fold_normalisation(first: _Found, mean: float, std: float, name: str) -> None:
    """Make the first layer read pixels in [0, 1] where it read (pixels - mean) / std:
    W x' + b = (W / std) x + (b - (mean / std) sum W), the sum over each output's inputs."""
    if std <= 0:
        raise DigitnetError(f"the normalisation's std must be > 0, got {std}")
    layer, arrays = first.layer, first.arrays
    if isinstance(layer, Dense) or (isinstance(layer, Conv2D) and layer.padding == 0):
        W = arrays["W"]
        inputs = (0,) if isinstance(layer, Dense) else (1, 2, 3)
        arrays["b"] = arrays["b"] - (mean / std) * W.sum(axis=inputs)
        arrays["W"] = W / std
    else:
        raise DigitnetError(
            f"{name}: the normalisation can be folded only into a first dense layer or an "
            "unpadded first conv (a padded one pads with 0, not with the mean)"
        )
