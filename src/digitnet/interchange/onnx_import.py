"""An ONNX graph read back as a digitnet model: its operations walked from the input to the
output, one chain, each turned into the digitnet layer that computes the same.

    Gemm, MatMul (+ Add)  -> dense        Conv -> conv       MaxPool -> maxpool
    BatchNormalization    -> batchnorm    Relu, LeakyRelu, Sigmoid, Tanh -> the activations
    Flatten, Reshape to (N, -1) -> flatten                  GlobalAveragePool -> global_avgpool
    Identity, Dropout (at inference), a final Softmax or LogSoftmax, and the shape arithmetic
    PyTorch's exporter writes for a flatten's target (Shape of the data, then Gather, Unsqueeze,
    Concat, Constant) -> nothing

The file is untrusted: its size is bounded, onnx.checker must pass, a tensor stored outside it
(external data) is refused before anything reads it, nothing in it is run. A graph that is not
one chain (a branch, a join, an output in the middle), or has an operation digitnet does not
have, is refused in one line. An input normalisation the model was trained with,
(x - mean) / std, is folded into the first layer with weights, so the model reads digitnet's
pixels in [0, 1].
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DigitnetError
from ..model import Sequential
from ..nn.activations import LeakyReLU, ReLU, Sigmoid, Tanh
from ..nn.batchnorm import BatchNorm
from ..nn.class_names import MAX_CLASSES, MAX_NAME, check_names
from ..nn.conv import Conv2D
from ..nn.dense import Dense
from ..nn.flatten import Flatten
from ..nn.layer import Layer
from ..nn.pooling import GlobalAvgPool, MaxPool2D
from .optional import optional

MAX_BYTES = 256 * 1024 * 1024  # far above any digit reader's size
PASS_THROUGH = ("Identity", "Dropout")
SHAPE_OPS = ("Shape", "Gather", "Unsqueeze", "Concat", "Constant")
ACTIVATIONS = {"Relu": ReLU, "Sigmoid": Sigmoid, "Tanh": Tanh}
BATCH = "N"  # the batch size, in the shape arithmetic
KNOWN = (
    "Gemm, MatMul, Add (a bias), Conv, MaxPool, BatchNormalization, Relu, LeakyRelu, "
    "Sigmoid, Tanh, Flatten, Reshape, GlobalAveragePool, Identity, Dropout, Softmax"
)


def import_onnx(path: str | Path, mean: float = 0.0, std: float = 1.0) -> Sequential:
    """The ONNX model in `path` as a digitnet model with the file's weights; `mean` and `std`:
    the input normalisation it was trained with, folded into its first layer."""
    name = str(path)
    if not (math.isfinite(mean) and math.isfinite(std) and std > 0):
        raise DigitnetError(
            f"the normalisation needs a finite mean and std > 0, got {mean}, {std}"
        )
    proto = _load(Path(path))
    graph = proto.graph
    try:
        found, input_shape = _walk(graph, name)
        if (mean, std) != (0.0, 1.0):
            _fold_normalisation(found, mean, std, name)
        model = Sequential([f.layer for f in found], input_shape=input_shape)
    except DigitnetError:
        raise
    except (ValueError, TypeError, IndexError) as error:  # what the checks above did not foresee
        raise DigitnetError(f"{name}: cannot be read as a digitnet model ({error})") from None
    for f in found:  # into the arrays the network built (its packed parameter block)
        for key, array in {**f.arrays, **f.state}.items():
            target = {**f.layer.params, **f.layer.state}[key]
            if array.shape != target.shape:
                raise DigitnetError(f"{name}: {f.layer!r} needs {key} {target.shape}, not "
                                    f"{array.shape}")  # fmt: skip
            target[...] = array
    names = _class_names(proto, model.n_classes)
    if names is not None:
        model.classes = names
    return model


def _class_names(proto: Any, n_classes: int) -> tuple[str, ...] | None:
    """The class names in the file's "classes" metadata (as digitnet's export writes them),
    if they are a JSON list of `n_classes` valid names; None otherwise."""
    text = next((p.value for p in proto.metadata_props if p.key == "classes"), None)
    if text is None or len(text) > MAX_CLASSES * (MAX_NAME + 4):
        return None
    try:
        names = json.loads(text)
        if not isinstance(names, list) or len(names) != n_classes:
            return None
        return check_names(names, "classes")
    except (ValueError, DigitnetError):  # JSONDecodeError is a ValueError: not names, not used
        return None


@dataclass
class _Found:
    """A layer read from the graph, and the file's arrays for its params and state."""

    layer: Layer
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    state: dict[str, np.ndarray] = field(default_factory=dict)


def _load(path: Path) -> Any:
    """The file parsed as an onnx.ModelProto and checked: its size, onnx.checker, and no
    tensor stored in another file."""
    onnx = optional("onnx")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DigitnetError(f"{path}: {size:,} bytes, more than an ONNX model may have here")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DigitnetError(f"{path}: file not found") from None
    except OSError as error:
        raise DigitnetError(f"{path}: cannot read ({error.strerror})") from None
    try:
        model = onnx.load_model_from_string(data)
    except Exception:  # protobuf's DecodeError and kin: any damage reads as not ONNX
        raise DigitnetError(f"{path}: not an ONNX model (or a damaged one)") from None
    if not model.graph.node:
        raise DigitnetError(f"{path}: not an ONNX model (no graph in it)")
    for tensor in _tensors(model.graph):
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            raise DigitnetError(
                f"{path}: tensor {tensor.name!r} is stored in another file; digitnet reads "
                "only models whose weights are inside them"
            )
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as error:  # onnx.checker's ValidationError, shape inference's errors
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DigitnetError(f"{path}: not a valid ONNX model ({first})") from None
    return model


def _tensors(graph: Any) -> list:
    """Every tensor a graph holds: its initializers and its nodes' tensor attributes."""
    tensors = list(graph.initializer)
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("t"):
                tensors.append(attribute.t)
            tensors.extend(attribute.tensors)
    return tensors


def _walk(graph: Any, name: str) -> tuple[list[_Found], tuple[int, ...]]:
    """The layers along the graph's one chain from its input to its output, and the input's
    shape of one example."""
    constants = _constants(graph)
    inputs = [i for i in graph.input if i.name not in constants]
    if len(inputs) != 1:
        raise DigitnetError(f"{name}: expected one input, found {len(inputs)}")
    walk = _Walk(name, constants, inputs[0].name, _input_shape(inputs[0], name))
    for node in graph.node:
        walk.visit(node)
    outputs = [o.name for o in graph.output]
    if walk.current not in outputs or not set(outputs) <= walk.on_path:
        raise DigitnetError(
            f"{name}: the graph's outputs ({', '.join(outputs)}) are not the end of one chain "
            "of operations from its input"
        )
    if not any(f.arrays for f in walk.found):
        raise DigitnetError(f"{name}: no layer with weights found between input and output")
    return walk.found, walk.input_shape


def _constants(graph: Any) -> dict[str, np.ndarray]:
    """The graph's initializers and Constant nodes' values, by name."""
    from onnx import numpy_helper

    values = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
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
    """The layers found so far along the chain from the input, and its end's tensor and shape."""

    def __init__(self, name: str, constants: dict, start: str, shape: tuple[int, ...]) -> None:
        self.name, self.constants = name, constants
        self.input_shape = shape
        self.current, self.shape = start, shape  # the chain's last tensor and its shape
        self.on_path = {start}  # every tensor of the chain so far
        self.found: list[_Found] = []
        self.shapes: dict[str, list[Any]] = {}  # the shape arithmetic's values ("N": the batch)
        self.ended = False  # after the softmax: only pass-through operations may follow

    def visit(self, node: Any) -> None:
        """Turn one node into a layer, follow the shape arithmetic, or refuse it."""
        if node.domain not in ("", "ai.onnx"):
            raise self._unsupported(node, f"is from another operator set ({node.domain})")
        reads = [i for i in node.input if i in self.on_path]
        if node.op_type in SHAPE_OPS:
            if reads and (node.op_type != "Shape" or reads[0] != self.current):
                raise self._unsupported(node, "works on the data itself, not on its shape")
            self._shape_op(node)
            return
        if not reads:
            return  # not on the chain: a weight's arithmetic, which what reads it will refuse
        if reads != [self.current] or node.input[0] != self.current:
            raise self._unsupported(node, "branches or joins the chain: digitnet reads one chain")
        if self.ended and node.op_type not in PASS_THROUGH:
            raise self._unsupported(node, "comes after the softmax")
        found = self._layer(node)
        if found is not None:
            try:
                self.shape = found.layer.output_shape(self.shape)
            except DigitnetError as error:
                raise self._unsupported(node, f"cannot take its input: {error}") from None
            self.found.append(found)
        self.current = node.output[0]
        self.on_path.add(self.current)

    def _layer(self, node: Any) -> _Found | None:
        """The digitnet layer of one node on the chain (None: it changes nothing)."""
        op, attrs = node.op_type, _attributes(node)
        if op == "Identity":
            return None
        if op == "Dropout":
            return self._dropout(node, attrs)
        if op in ("Softmax", "LogSoftmax"):
            if attrs.get("axis", -1) not in (1, -1) or len(self.shape) != 1:
                raise self._unsupported(node, "is not over the class scores")
            self.ended = True
            return None
        if op in ACTIVATIONS:
            return _Found(ACTIVATIONS[op]())
        if op == "LeakyRelu":
            return _Found(LeakyReLU(_plain(attrs.get("alpha", 0.01))))
        if op == "Gemm":
            return self._gemm(node, attrs)
        if op == "MatMul":
            return self._dense(self._constant(node, 1), None, node)
        if op == "Add":
            if not self.found or not isinstance(self.found[-1].layer, Dense):
                raise self._unsupported(node, "is not the bias of a MatMul or Gemm before it")
            self._bias(node)
            return None
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
        raise self._unsupported(node, f"is not an operation digitnet has; it reads {KNOWN}")

    def _constant(self, node: Any, index: int) -> np.ndarray:
        """Input `index` of a node, which must be a number array stored in the file."""
        if index >= len(node.input) or node.input[index] not in self.constants:
            raise self._unsupported(node, f"takes a computed input {index}, not a weight")
        value = np.asarray(self.constants[node.input[index]])
        if value.dtype.kind not in "fiu":
            raise self._unsupported(node, f"has {value.dtype} weights")
        return value.astype(np.float32)

    def _dropout(self, node: Any, attrs: dict) -> _Found | None:
        """Dropout at inference passes its input on; one told to train is refused."""
        if len(node.input) > 2 and node.input[2]:
            training = self.constants.get(node.input[2])
            if training is None or bool(np.asarray(training)):
                raise self._unsupported(node, "may be in training mode")
        return None

    def _gemm(self, node: Any, attrs: dict) -> _Found:
        """Gemm: y = alpha A B' + beta C, with B' = B or B^T; digitnet's dense is y = x W + b."""
        if attrs.get("transA", 0):
            raise self._unsupported(node, "transposes its input (transA)")
        W = self._constant(node, 1) * _plain(attrs.get("alpha", 1.0))
        W = W.T if attrs.get("transB", 0) else W  # digitnet keeps W as (in, out)
        beta = _plain(attrs.get("beta", 1.0))
        b = self._constant(node, 2) * beta if len(node.input) > 2 and node.input[2] else None
        return self._dense(W, b, node)

    def _dense(self, W: np.ndarray, b: np.ndarray | None, node: Any) -> _Found:
        """A dense layer of W (in, out) and a bias of one value per output (or none)."""
        if len(self.shape) != 1 or W.ndim != 2 or W.shape[0] != self.shape[0]:
            raise self._unsupported(node, f"has weights {W.shape} for an input {self.shape}")
        return _Found(Dense(*W.shape), {"W": W, "b": self._per_output(node, b, W.shape[1])})

    def _bias(self, node: Any) -> None:
        """An Add after a MatMul: the dense layer's bias."""
        last = self.found[-1]
        last.arrays["b"] = last.arrays["b"] + self._per_output(
            node, self._constant(node, 1), last.arrays["b"].size
        )

    def _per_output(self, node: Any, b: np.ndarray | None, outputs: int) -> np.ndarray:
        """A bias as (outputs,): one value for each, one for all, or none (zeros)."""
        if b is None:
            return np.zeros(outputs, np.float32)
        if b.size not in (1, outputs) or (b.ndim > 1 and b.shape[-1] != b.size):
            raise self._unsupported(node, f"adds {b.shape} to {outputs} outputs")
        return np.broadcast_to(b.reshape(-1), (outputs,)).astype(np.float32)

    def _conv(self, node: Any, attrs: dict) -> _Found:
        """Conv: square kernels, one group, no dilation, the same stride and padding on every
        side (as digitnet's conv)."""
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
            or _text(attrs.get("auto_pad", "NOTSET")) not in ("NOTSET", "VALID")
        ):
            raise self._unsupported(node, "is not a square, ungrouped, evenly padded conv")
        layer = Conv2D(W.shape[1], W.shape[0], W.shape[2], stride=strides[0], padding=pads[0])
        b = self._constant(node, 2) if len(node.input) > 2 and node.input[2] else None
        return _Found(layer, {"W": W, "b": self._per_output(node, b, W.shape[0])})

    def _max_pool(self, node: Any, attrs: dict) -> _Found:
        """MaxPool: square windows without padding; ONNX's strides default to 1."""
        kernel = list(attrs.get("kernel_shape", []))
        strides = list(attrs.get("strides", [1, 1]))
        if (
            len(kernel) != 2
            or len(set(kernel)) != 1
            or len(set(strides)) != 1
            or any(attrs.get("pads", [0]))
            or attrs.get("ceil_mode", 0)
            or any(d != 1 for d in attrs.get("dilations", [1]))
            or _text(attrs.get("auto_pad", "NOTSET")) not in ("NOTSET", "VALID")
            or len(node.output) > 1
            and node.output[1]  # its indices: not a plain pooling
        ):
            raise self._unsupported(node, "is not a square max-pooling without padding")
        return _Found(MaxPool2D(kernel[0], stride=strides[0]))

    def _batch_norm(self, node: Any, attrs: dict) -> _Found:
        """BatchNormalization at inference, with its running statistics."""
        if attrs.get("training_mode", 0):
            raise self._unsupported(node, "is in training mode")
        gamma, beta, mean, var = (self._constant(node, i) for i in range(1, 5))
        if not gamma.ndim == beta.ndim == mean.ndim == var.ndim == 1 or len(set(
            a.size for a in (gamma, beta, mean, var)
        )) != 1:  # fmt: skip
            raise self._unsupported(node, "has statistics that are not one per channel")
        momentum = round(1.0 - _plain(attrs.get("momentum", 0.9)), 7)  # ONNX keeps the old's
        layer = BatchNorm(len(gamma), eps=_plain(attrs.get("epsilon", 1e-5)), momentum=momentum)
        state = {"running_mean": mean, "running_var": var}
        return _Found(layer, {"gamma": gamma, "beta": beta}, state)

    def _flatten(self, node: Any, attrs: dict) -> _Found | None:
        """Flatten from axis 1, or a Reshape to (N, -1); a Reshape of the pixels to images
        before any layer sets the input's shape."""
        if node.op_type == "Flatten" and attrs.get("axis", 1) != 1:
            raise self._unsupported(node, "flattens from an axis other than 1")
        if node.op_type == "Reshape":
            target = self._target(node)
            size = int(np.prod(self.shape))
            if len(target) == 4 and not self.found and target[0] in (BATCH, 0, -1):
                shape = tuple(target[1:])  # (N, 784) -> (N, 1, 28, 28), first
                if not all(isinstance(n, int) and n > 0 for n in shape) or (
                    int(np.prod(shape)) != size
                ):
                    raise self._unsupported(node, f"reshapes the input to {target}")
                self.input_shape = self.shape = shape
                return None
            flat = len(target) == 2 and (
                (target[0] in (BATCH, 0) and target[1] in (-1, size))
                or (target[0] == -1 and target[1] == size)
            )
            if not flat:
                raise self._unsupported(node, f"reshapes to {target}, not to (N, -1)")
        return _Found(Flatten()) if len(self.shape) > 1 else None

    def _target(self, node: Any) -> list:
        """A Reshape's target shape: stored in the file, or worked out by the shape arithmetic."""
        source = node.input[1] if len(node.input) > 1 else None
        if source in self.shapes:
            return self.shapes[source]
        if source in self.constants:
            return [int(n) for n in np.asarray(self.constants[source]).reshape(-1)]
        raise self._unsupported(node, "takes a shape digitnet cannot work out")

    def _shape_op(self, node: Any) -> None:
        """Follow the arithmetic on the data's shape: Shape, then Gather, Unsqueeze and Concat
        (values are lists, the batch size BATCH); Constant was read beforehand."""
        op, attrs = node.op_type, _attributes(node)
        if op == "Constant":
            return
        if op == "Shape" and ("start" in attrs or "end" in attrs):
            raise self._unsupported(node, "takes part of the shape")
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
        if op == "Gather":
            if attrs.get("axis", 0) != 0 or not all(-len(values[0]) <= i < len(values[0])
                                                    for i in values[1]):  # fmt: skip
                raise self._unsupported(node, "gathers outside the shape")
            out = [values[0][i] for i in values[1]]
        elif op == "Concat":
            out = [v for part in values for v in part]
        else:  # Shape, Unsqueeze: the same values, as far as a shape goes
            out = values[0]
        self.shapes[node.output[0]] = out

    def _unsupported(self, node: Any, why: str) -> DigitnetError:
        """The one line for a node digitnet cannot read."""
        label = f" ({node.name})" if node.name else ""
        return DigitnetError(f"{self.name}: the {node.op_type} operation{label} {why}")


def _attributes(node: Any) -> dict:
    """A node's attributes as Python values."""
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _plain(value: Any) -> float:
    """A float attribute as the number it was written as (float32 in the file: 0.1, not
    0.10000000149011612)."""
    return float(f"{float(value):.7g}")


def _text(value: Any) -> str:
    """A string attribute (bytes in the file) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def _fold_normalisation(found: list[_Found], mean: float, std: float, name: str) -> None:
    """Make the first layer with weights read pixels in [0, 1] where it read
    (pixels - mean) / std: W x' + b = (W / std) x + (b - (mean / std) sum W), the sum over each
    output's inputs. Exact for a dense layer, and for an unpadded conv (a padded one pads the
    normalised image with 0, which no change of its weights reproduces)."""
    before = 0
    while before < len(found) and isinstance(found[before].layer, Flatten):
        before += 1
    first = found[before] if before < len(found) else None
    layer = first.layer if first is not None else None
    if first is None or not (
        isinstance(layer, Dense) or (isinstance(layer, Conv2D) and layer.padding == 0)
    ):
        raise DigitnetError(
            f"{name}: the normalisation can be folded only into a first dense layer or an "
            "unpadded first conv (a padded one pads with 0, not with the mean)"
        )
    W = first.arrays["W"]
    inputs = (0,) if isinstance(layer, Dense) else (1, 2, 3)
    first.arrays["b"] = first.arrays["b"] - (mean / std) * W.sum(axis=inputs)
    first.arrays["W"] = W / std
