"""Model files: one .npz with arrays W1, b1, W2, b2, ... and `meta`, a JSON string.

Loading uses allow_pickle=False only, so opening a model file can never run code. Every field is
validated, so a damaged or foreign file gives a one-line DigitnetError instead of a traceback, and
no message ever repeats NumPy's advice to load a file unsafely.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .atomic import atomic_open
from .errors import DigitnetError
from .model import DTYPES, MLP
from .nn.layers import ACTIVATIONS

FORMAT = "digitnet-mlp"
VERSION = 1
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


def model_meta(model: MLP) -> dict:
    """The JSON-able description stored beside the weights."""
    from . import __version__

    return {
        "format": FORMAT,
        "version": VERSION,
        "layer_sizes": model.layer_sizes,
        "activations": model.activations,
        "output": "softmax",
        "dtype": model.dtype,
        "digitnet_version": __version__,
    }


def model_arrays(model: MLP) -> dict[str, np.ndarray]:
    """What a model file holds: W1, b1, W2, b2, ... and `meta`."""
    arrays = {}
    for k, layer in enumerate(model.dense_layers, start=1):
        arrays[f"W{k}"], arrays[f"b{k}"] = layer.params["W"], layer.params["b"]
    arrays["meta"] = np.array(json.dumps(model_meta(model)))
    return arrays


def save_model(model: MLP, path: str | Path) -> None:
    """Write `model` to `path` (.npz) atomically: a crash never leaves a half-written file."""
    with atomic_open(path, "wb") as file:
        np.savez(file, **model_arrays(model))


def load_model(path: str | Path) -> MLP:
    """Load a model saved by `save`, validating every array against `meta`."""
    return load_model_arrays(path)[0]


def load_model_arrays(path: str | Path) -> tuple[MLP, dict[str, np.ndarray]]:
    """Load and validate the model in an .npz file; also return all of the file's arrays."""
    path = Path(path)
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
    meta = _read_meta(path, arrays)
    model = MLP(meta["layer_sizes"], meta["activations"], dtype=meta["dtype"])
    for k, layer in enumerate(model.dense_layers, start=1):
        for key in ("W", "b"):
            name = f"{key}{k}"
            if name not in arrays:
                raise DigitnetError(f"{path}: array {name} is missing")
            array, expected = arrays[name], layer.params[key]
            if array.shape != expected.shape:
                raise DigitnetError(
                    f"{path}: {name} has shape {array.shape}, but meta's "
                    f"layer_sizes need {expected.shape}"
                )
            if array.dtype != expected.dtype:
                raise DigitnetError(
                    f"{path}: {name} has dtype {array.dtype}, meta says {meta['dtype']}"
                )
            if not np.isfinite(array).all():
                raise DigitnetError(f"{path}: {name} contains NaN or infinite values")
            expected[...] = array  # copy into place: optimizers hold references to these arrays
    return model, arrays


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
    """Parse and validate the `meta` JSON string of a model file."""
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
    if meta.get("format") != FORMAT:
        raise DigitnetError(f"{path}: unknown format {meta.get('format')!r}, expected {FORMAT!r}")
    version = meta.get("version")
    if not isinstance(version, int) or version < 1:
        raise DigitnetError(f"{path}: invalid format version {version!r}")
    if version > VERSION:
        raise DigitnetError(
            f"{path}: format version {version} is newer than this digitnet "
            f"reads ({VERSION}); upgrade digitnet"
        )
    sizes = meta.get("layer_sizes")
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes)
    ):
        raise DigitnetError(f"{path}: invalid layer_sizes {sizes!r}")
    activations = meta.get("activations")
    if (
        not isinstance(activations, list)
        or len(activations) != len(sizes) - 2
        or not all(isinstance(a, str) and a in ACTIVATIONS for a in activations)
    ):
        raise DigitnetError(f"{path}: invalid activations {activations!r} for layer_sizes {sizes}")
    if meta.get("dtype") not in DTYPES:
        raise DigitnetError(f"{path}: invalid dtype {meta.get('dtype')!r}")
    return meta
