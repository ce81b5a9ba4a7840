"""A from-scratch reader for the IDX format that MNIST ships in (gzip'd or raw).

IDX layout (big-endian): two zero bytes, a type code, the number of dimensions `ndim`, then `ndim`
4-byte sizes, then the data. MNIST uses type 0x08 (unsigned byte). First step of the pipeline:
idx -> datasets -> layers -> ...
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

from .atomic import atomic_write_bytes
from .errors import DigitnetError

# type code -> (NumPy big-endian dtype, name); the IDX spec's full list.
IDX_TYPES = {
    0x08: (np.dtype(">u1"), "unsigned byte"),
    0x09: (np.dtype(">i1"), "signed byte"),
    0x0B: (np.dtype(">i2"), "short"),
    0x0C: (np.dtype(">i4"), "int"),
    0x0D: (np.dtype(">f4"), "float"),
    0x0E: (np.dtype(">f8"), "double"),
}
GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str | Path) -> bytes:
    """Return the file's bytes, decompressed if it is gzip'd (detected by content, not name)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DigitnetError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DigitnetError(f"{path}: is a directory, expected an IDX file") from None
    except OSError as error:
        raise DigitnetError(f"{path}: cannot read ({error.strerror})") from None
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise DigitnetError(f"{path}: corrupt or truncated gzip data ({error})") from None


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse IDX bytes into an array, checking magic, type code, dimensions and exact length."""
    if len(data) < 4:
        raise DigitnetError(f"{name}: too short for an IDX header ({len(data)} bytes)")
    if data[0] != 0 or data[1] != 0:
        raise DigitnetError(
            f"{name}: not an IDX file (magic starts {data[:2].hex()}, expected 0000); "
            "is it a MNIST-style images/labels file?"
        )
    type_code, ndim = data[2], data[3]
    if type_code not in IDX_TYPES:
        raise DigitnetError(f"{name}: unknown IDX type code 0x{type_code:02x}")
    if ndim == 0:
        raise DigitnetError(f"{name}: IDX header declares 0 dimensions")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise DigitnetError(
            f"{name}: truncated IDX header ({len(data)} bytes, need {header_size})"
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = IDX_TYPES[type_code][0]
    expected = header_size + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        raise DigitnetError(
            f"{name}: dimensions {shape} need {expected} bytes but the file has {len(data)} "
            "(truncated or corrupt)"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    if dtype.itemsize == 1:
        # A view of the decompressed bytes, no copy (47 MB for MNIST's training images): it is
        # read-only, as bytes are; call .copy() to get an array you can modify.
        return array
    return array.astype(dtype.newbyteorder("="))  # native byte order (a copy)


def read_idx(path: str | Path, sha256: str | None = None) -> np.ndarray:
    """Read an IDX file (gzip'd or raw); if `sha256` is given, verify the decompressed bytes."""
    data = read_bytes(path)
    if sha256 is not None:
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256:
            raise DigitnetError(
                f"{path}: SHA-256 of the decompressed data is {digest}, expected {sha256} "
                "(the bundled file is damaged; reinstall digitnet)"
            )
    return parse_idx(data, str(path))


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write `array` as an IDX file (gzip'd if the name ends in .gz); used by tests and tools."""
    codes = {dtype.newbyteorder("="): code for code, (dtype, _) in IDX_TYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise DigitnetError(f"cannot write dtype {array.dtype} as IDX")
    header = bytes([0, 0, code, array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    body = np.ascontiguousarray(array, dtype=IDX_TYPES[code][0]).tobytes()
    data = header + body
    atomic_write_bytes(path, gzip.compress(data) if str(path).endswith(".gz") else data)
