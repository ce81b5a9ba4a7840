"""A from-scratch reader for the IDX format that MNIST ships in (gzip'd or raw).

IDX layout (big-endian): two zero bytes, a type code, the number of dimensions `ndim`, then `ndim`
4-byte sizes, then the data. MNIST uses type 0x08 (unsigned byte). First step of the pipeline:
idx -> datasets -> layers -> ...

The reader decompresses in chunks straight into the final array, hashing as it goes, so a
47 MB file needs 47 MB of memory, not two or three copies of it.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from ..atomic import atomic_write_bytes
from ..errors import DigitnetError

# type code -> (NumPy big-endian dtype, name); the IDX spec's full list.
IDX_TYPES: dict[int, tuple[np.dtype, str]] = {
    0x08: (np.dtype(">u1"), "unsigned byte"),
    0x09: (np.dtype(">i1"), "signed byte"),
    0x0B: (np.dtype(">i2"), "short"),
    0x0C: (np.dtype(">i4"), "int"),
    0x0D: (np.dtype(">f4"), "float"),
    0x0E: (np.dtype(">f8"), "double"),
}
GZIP_MAGIC = b"\x1f\x8b"
MAX_DEFLATE_RATIO = 1032  # deflate cannot expand data more: a bound on any gzip file's content
CHUNK = 1 << 20  # decompress 1 MiB at a time


def read_idx(path: str | Path, sha256: str | None = None) -> np.ndarray:
    """Read an IDX file (gzip'd or raw); if `sha256` is given, verify the decompressed bytes."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DigitnetError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DigitnetError(f"{path}: is a directory, expected an IDX file") from None
    except OSError as error:
        raise DigitnetError(f"{path}: cannot read ({error.strerror})") from None
    return parse_idx(raw, str(path), sha256)


def parse_idx(data: bytes, name: str = "<bytes>", sha256: str | None = None) -> np.ndarray:
    """Parse IDX content (gzip'd or raw) into an array, checking magic, type code, dimensions
    and exact length; if `sha256` is given, verify the (decompressed) content too."""
    if data.startswith(GZIP_MAGIC):
        return parse_idx_chunks(
            gunzip_chunks(data, name), name, sha256, most_bytes=MAX_DEFLATE_RATIO * len(data)
        )
    return parse_idx_chunks([data], name, sha256, most_bytes=len(data), exact=True)


def gunzip_chunks(raw: bytes, name: str) -> Iterator[bytes]:
    """Yield the decompressed content of gzip data, CHUNK bytes at a time (all members)."""
    decompressor = zlib.decompressobj(wbits=31)  # 31: gzip header and CRC-checked trailer
    pending = raw
    try:
        while True:
            out = decompressor.decompress(pending, CHUNK)
            if out:
                yield out
            pending = decompressor.unconsumed_tail
            if decompressor.eof:
                if not decompressor.unused_data:
                    return
                pending = decompressor.unused_data  # a further gzip member follows
                decompressor = zlib.decompressobj(wbits=31)
            elif not pending and not out:
                raise DigitnetError(f"{name}: truncated gzip data (the stream ends early)")
    except zlib.error as error:
        raise DigitnetError(f"{name}: corrupt gzip data ({error})") from None


def parse_idx_chunks(
    chunks: Iterable[bytes],
    name: str,
    sha256: str | None = None,
    most_bytes: int | None = None,
    exact: bool = False,
) -> np.ndarray:
    """Parse IDX content arriving in chunks; optionally check the SHA-256 of all of it.

    most_bytes: an upper bound on the content's length (its exact length if `exact`), so that a
    damaged header declaring absurd dimensions is refused before anything is allocated.
    """
    reader = _ChunkReader(chunks)
    magic = reader.read(4)
    if len(magic) < 4:
        raise DigitnetError(f"{name}: too short for an IDX header ({len(magic)} bytes)")
    if magic[0] != 0 or magic[1] != 0:
        raise DigitnetError(
            f"{name}: not an IDX file (magic starts {magic[:2].hex()}, expected 0000); "
            "is it a MNIST-style images/labels file?"
        )
    type_code, ndim = magic[2], magic[3]
    if type_code not in IDX_TYPES:
        raise DigitnetError(f"{name}: unknown IDX type code 0x{type_code:02x}")
    if ndim == 0:
        raise DigitnetError(f"{name}: IDX header declares 0 dimensions")
    header_size = 4 + 4 * ndim
    sizes = reader.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise DigitnetError(
            f"{name}: truncated IDX header ({4 + len(sizes)} bytes, need {header_size})"
        )
    shape = tuple(int.from_bytes(sizes[4 * i : 4 * i + 4], "big") for i in range(ndim))
    dtype = IDX_TYPES[type_code][0]
    n_bytes = math.prod(shape) * dtype.itemsize  # Python integers: no overflow
    if most_bytes is not None and header_size + n_bytes > most_bytes:
        has = f"{most_bytes}" if exact else f"at most {most_bytes} (its compressed size x 1032)"
        raise DigitnetError(
            f"{name}: dimensions {shape} need {header_size + n_bytes} bytes but the file has "
            f"{has} (truncated or corrupt)"
        )
    try:
        data = np.empty(n_bytes, dtype=np.uint8)
    except MemoryError:
        raise DigitnetError(f"{name}: dimensions {shape} are too large to load") from None
    got = reader.readinto(data)
    extra = reader.skip_rest()
    if got < n_bytes or extra:
        raise DigitnetError(
            f"{name}: dimensions {shape} need {header_size + n_bytes} bytes but the file has "
            f"{header_size + got + extra} (truncated or corrupt)"
        )
    if sha256 is not None and reader.sha256.hexdigest() != sha256:
        raise DigitnetError(
            f"{name}: SHA-256 of the decompressed data is {reader.sha256.hexdigest()}, expected "
            f"{sha256} (the bundled file is damaged; reinstall digitnet)"
        )
    try:
        array = data.view(dtype).reshape(shape)
    except ValueError:  # e.g. (0, 2**24, 2**24): no data, but dimensions NumPy cannot represent
        raise DigitnetError(f"{name}: dimensions {shape} cannot be loaded") from None
    return array if dtype.itemsize == 1 else array.astype(dtype.newbyteorder("="))


class _ChunkReader:
    """Reads sequentially across a stream of byte chunks, hashing everything it passes over."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._current = memoryview(b"")
        self.sha256 = hashlib.sha256()

    def _next(self) -> bool:
        for chunk in self._chunks:
            if chunk:
                self._current = memoryview(chunk)
                self.sha256.update(chunk)
                return True
        return False

    def read(self, n: int) -> bytes:
        """Up to n bytes (fewer only at the end)."""
        out = bytearray()
        while len(out) < n and (self._current or self._next()):
            take = self._current[: n - len(out)]
            out += take
            self._current = self._current[len(take) :]
        return bytes(out)

    def readinto(self, target: np.ndarray) -> int:
        """Fill the uint8 array `target`; returns how many bytes were available."""
        filled = 0
        while filled < target.size and (self._current or self._next()):
            take = self._current[: target.size - filled]
            target[filled : filled + len(take)] = np.frombuffer(take, dtype=np.uint8)
            filled += len(take)
            self._current = self._current[len(take) :]
        return filled

    def skip_rest(self) -> int:
        """Consume (and hash) whatever is left; returns its length."""
        rest = len(self._current)
        while self._next():
            rest += len(self._current)
        self._current = memoryview(b"")
        return rest


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write `array` as an IDX file (gzip'd if the name ends in .gz); used by tests and tools."""
    import gzip

    codes = {dtype.newbyteorder("="): code for code, (dtype, _) in IDX_TYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise DigitnetError(f"cannot write dtype {array.dtype} as IDX")
    header = bytes([0, 0, code, array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    body = np.ascontiguousarray(array, dtype=IDX_TYPES[code][0]).tobytes()
    data = header + body
    atomic_write_bytes(path, gzip.compress(data) if str(path).endswith(".gz") else data)
