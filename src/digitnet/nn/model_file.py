"""Model files: one .npz holding `meta` (a JSON string) and each layer's arrays as "{i}.{name}".

Version 2 (written since digitnet 0.2):
    meta = {"format": "digitnet", "version": 2, "input_shape": [784], "dtype": "float32",
            "output": "softmax", "digitnet_version": "0.4.0",
            "layers": [{"type": "dense", "in_features": 784, "out_features": 128},
                       {"type": "relu"}, ...],
            "classes": ["T-shirt/top", "Trouser", ...]}  (optional: without it, digits)
    "0.W" (784, 128), "0.b" (128,), "2.W", ...: layer i's params and state, by layer index.
Version 1 (digitnet 0.1: "format": "digitnet-mlp", arrays W1, b1, ... and "layer_sizes") is read
and converted. Loading uses allow_pickle=False only, so opening a model file can never run code.
Every field is validated: a damaged or foreign file gives a one-line DigitnetError naming the
problem, never a traceback, and no message repeats NumPy's advice to load a file unsafely.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path
from typing import Any, NamedTuple, TypeGuard, cast

import numpy as np

from .._version import __version__
from ..atomic import atomic_open
from ..errors import DigitnetError
from .class_names import check_names
from .layer import Layer
from .layers import ACTIVATIONS, layer_from_config

FORMAT, VERSION = "digitnet", 2
FORMAT_V1 = "digitnet-mlp"
DTYPES = ("float32", "float64")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip (.npz) archive: with files, or empty
# What a file is, by its first bytes: to say what a file given as a model is, instead.
KNOWN_KINDS = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"BM": "a BMP image",
    b"\x1f\x8b": "a gzip file",
    b"\x93NUMPY": "a single NumPy .npy array",
    b"\x80": "a Python pickle",
}


class ModelFile(NamedTuple):
    """A model file read and checked: its layers (not built yet), their arrays by name
    ("{i}.{name}"), and every other array in the file (a checkpoint keeps more)."""

    layers: list[Layer]
    input_shape: tuple[int, ...]
    dtype: str
    weights: dict[str, np.ndarray]
    others: dict[str, np.ndarray]
    classes: tuple[str, ...] | None = None  # None: the classes are digits


def model_meta(
    layers: list[Layer],
    input_shape: tuple[int, ...],
    dtype: str,
    classes: tuple[str, ...] | None = None,
) -> dict:
    """The JSON-able description stored beside the weights (class names only if given)."""
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "input_shape": list(input_shape),
        "dtype": dtype,
        "output": "softmax",
        "digitnet_version": __version__,
        "layers": [layer.config() for layer in layers],
    }
    return meta if classes is None else {**meta, "classes": list(classes)}


def layer_arrays(layers: list[Layer]) -> dict[str, np.ndarray]:
    """Every layer's params and state, named "{layer index}.{name}"."""
    return {
        f"{i}.{name}": array
        for i, layer in enumerate(layers)
        for name, array in {**layer.params, **layer.state}.items()
    }


def save_model_file(
    path: str | Path,
    layers: list[Layer],
    input_shape: tuple[int, ...],
    dtype: str,
    classes: tuple[str, ...] | None = None,
) -> None:
    """Write a version-2 model file atomically: a crash never leaves a half-written file."""
    arrays = layer_arrays(layers)
    arrays["meta"] = np.array(json.dumps(model_meta(layers, input_shape, dtype, classes)))
    with atomic_open(path, "wb") as file:
        # cast: NumPy's stub takes **arrays for possibly savez's own allow_pickle argument
        np.savez(file, **cast("dict[str, Any]", arrays))


def read_model_file(path: str | Path) -> ModelFile:
    """Read and check a model file (version 1 or 2); the layers are not built yet."""
    path = Path(path)
    arrays = _read_npz(path)
    meta = _read_meta(path, arrays)
    if meta["format"] == FORMAT_V1:
        meta, arrays = _from_version_1(path, meta, arrays)
    layers = []
    for i, config in enumerate(meta["layers"]):
        try:
            layers.append(layer_from_config(config))
        except DigitnetError as error:
            raise DigitnetError(f"{path}: layer {i}: {error}") from None
    shape = tuple(meta["input_shape"])
    for i, layer in enumerate(layers):
        try:
            shape = layer.output_shape(shape)
        except DigitnetError as error:
            raise DigitnetError(f"{path}: layer {i} disagrees with its input: {error}") from None
    classes = meta.get("classes")
    if classes is not None:
        classes = check_names(classes if isinstance(classes, list) else "", f"{path}: meta")
        if len(classes) != shape[0]:
            raise DigitnetError(f"{path}: {len(classes)} class names for {shape[0]} outputs")
    weights = {k: v for k, v in arrays.items() if k[:1].isdigit()}
    others = {k: v for k, v in arrays.items() if not k[:1].isdigit() and k != "meta"}
    return ModelFile(layers, tuple(meta["input_shape"]), meta["dtype"], weights, others, classes)


def load_weights(path: str | Path, layers: list[Layer], weights: dict[str, np.ndarray]) -> None:
    """Copy the file's arrays into the built layers, after checking names, shapes, dtypes and
    values (copied into place: the packed parameter block and optimizers hold these arrays)."""
    expected = layer_arrays(layers)
    for name in weights:
        if name not in expected:
            raise DigitnetError(f"{path}: unexpected array {name} (no such layer parameter)")
    for name, target in expected.items():
        if name not in weights:
            raise DigitnetError(f"{path}: array {name} is missing")
        array = weights[name]
        if array.shape != target.shape:
            layer = layers[int(name.split(".")[0])]
            raise DigitnetError(
                f"{path}: {name} has shape {array.shape}, but {layer!r} needs {target.shape}"
            )
        if array.dtype != target.dtype:
            raise DigitnetError(
                f"{path}: {name} has dtype {array.dtype}, meta says {target.dtype}"
            )
        if not np.isfinite(array).all():
            raise DigitnetError(f"{path}: {name} contains NaN or infinite values")
        target[...] = array


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """All arrays of an .npz file, refusing anything that is not one (or holds pickles)."""
    if not path.is_file():
        raise DigitnetError(f"{path}: model file not found")
    with open(path, "rb") as file:
        start = file.read(512)
    if not start.startswith(ZIP_MAGIC):  # np.load would try other formats, pickles among them
        raise DigitnetError(
            f"{path}: not a digitnet model file ({_kind_of_file(start)}, not an .npz archive)"
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except ValueError as error:
        if "pickle" in str(error):  # numpy refuses object arrays, and suggests allow_pickle
            raise DigitnetError(
                f"{path}: not a valid model file: it holds Python objects, which digitnet "
                "never loads (loading them can run code)"
            ) from None
        raise DigitnetError(f"{path}: not a valid model file ({error})") from None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, zlib.error) as error:
        raise DigitnetError(f"{path}: not a valid model file, or truncated ({error})") from None
    for name, array in arrays.items():
        if not isinstance(array, np.ndarray):  # a zip member that is not a .npy file: bytes
            raise DigitnetError(f"{path}: not a valid model file ({name} is not a NumPy array)")
    return arrays


def _kind_of_file(start: bytes) -> str:
    """What a file that is not a zip archive seems to be, from its first bytes."""
    if not start:
        return "an empty file"
    for magic, kind in KNOWN_KINDS.items():
        if start.startswith(magic):
            return kind
    if any(byte < 9 or 13 < byte < 32 for byte in start):  # control characters: binary
        return "an unknown kind of file"
    return "a text file"


def _read_meta(path: Path, arrays: dict[str, np.ndarray]) -> dict:
    """Parse and validate the `meta` JSON string of a model file (either version)."""
    if "meta" not in arrays:
        raise DigitnetError(f"{path}: no 'meta' entry: not a digitnet model file")
    raw = arrays["meta"]
    if raw.shape != () or raw.dtype.kind != "U":
        raise DigitnetError(f"{path}: 'meta' must be a JSON string, got {raw.dtype} {raw.shape}")
    try:
        meta = json.loads(str(raw))
    except json.JSONDecodeError as error:
        raise DigitnetError(f"{path}: 'meta' is not valid JSON ({error})") from None
    if not isinstance(meta, dict):
        raise DigitnetError(f"{path}: 'meta' must be a JSON object")
    expected = {FORMAT: VERSION, FORMAT_V1: 1}
    if meta.get("format") not in expected:
        raise DigitnetError(f"{path}: unknown format {meta.get('format')!r}, expected {FORMAT!r}")
    version = meta.get("version")
    if not _is_int(version) or version < 1:
        raise DigitnetError(f"{path}: invalid format version {version!r}")
    if version > expected[meta["format"]]:
        raise DigitnetError(
            f"{path}: format version {version} is newer than this digitnet "
            f"reads ({expected[meta['format']]}); upgrade digitnet"
        )
    if meta.get("dtype") not in DTYPES:
        raise DigitnetError(f"{path}: invalid dtype {meta.get('dtype')!r}")
    if meta["format"] == FORMAT_V1:
        return meta
    if meta.get("output") != "softmax":
        raise DigitnetError(f"{path}: unknown output {meta.get('output')!r}, expected 'softmax'")
    shape = meta.get("input_shape")
    if not isinstance(shape, list) or not shape or not all(_is_int(n) and n >= 1 for n in shape):
        raise DigitnetError(f"{path}: invalid input_shape {shape!r}")
    layers = meta.get("layers")
    if not isinstance(layers, list) or not layers:
        raise DigitnetError(f"{path}: 'layers' must be a non-empty list of layer configs")
    return meta


def _from_version_1(path: Path, meta: dict, arrays: dict) -> tuple[dict, dict]:
    """A version-1 file (an MLP: layer_sizes, activations, W1, b1, ...) as version 2."""
    sizes, activations = meta.get("layer_sizes"), meta.get("activations")
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(_is_int(n) and n >= 1 for n in sizes)
    ):
        raise DigitnetError(f"{path}: invalid layer_sizes {sizes!r}")
    if (
        not isinstance(activations, list)
        or len(activations) != len(sizes) - 2
        or not all(isinstance(a, str) and a in ACTIVATIONS for a in activations)
    ):
        raise DigitnetError(f"{path}: invalid activations {activations!r} for layer_sizes {sizes}")
    layers: list[dict] = []
    renamed: dict[str, np.ndarray] = {}
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        for key in ("W", "b"):
            if f"{key}{k}" not in arrays:
                raise DigitnetError(f"{path}: array {key}{k} is missing")
            renamed[f"{len(layers)}.{key}"] = arrays[f"{key}{k}"]
        layers.append({"type": "dense", "in_features": fan_in, "out_features": fan_out})
        if k <= len(activations):
            layers.append({"type": activations[k - 1]})
    known = {f"{key}{k}" for k in range(1, len(sizes)) for key in ("W", "b")}
    others = {k: v for k, v in arrays.items() if k not in known and k != "meta"}
    converted = {**meta, "input_shape": [sizes[0]], "layers": layers, "output": "softmax"}
    return converted, {**renamed, **others}


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
