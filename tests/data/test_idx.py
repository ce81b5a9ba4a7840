"""The IDX reader: valid files round-trip; corrupt, truncated and foreign files are refused."""

import gzip
import hashlib
import re
import tracemalloc
import zlib

import numpy as np
import pytest

from digitnet.data.datasets import BUNDLED_SHA256, bundled_mnist_dir
from digitnet.data.idx import CHUNK, parse_idx, parse_idx_chunks, read_idx, write_idx
from digitnet.errors import DigitnetError


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_round_trip_raw_and_gzip(tmp_path, name):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / name, array)
    loaded = read_idx(tmp_path / name)
    assert loaded.dtype == np.uint8 and loaded.shape == (2, 3, 4)
    np.testing.assert_array_equal(loaded, array)


def test_hand_written_header_is_parsed():
    data = bytes([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + bytes(range(6))
    np.testing.assert_array_equal(parse_idx(data), [[0, 1, 2], [3, 4, 5]])


def test_big_endian_int_type():
    data = bytes([0, 0, 0x0C, 1, 0, 0, 0, 2]) + (258).to_bytes(4, "big") + (7).to_bytes(4, "big")
    np.testing.assert_array_equal(parse_idx(data), [258, 7])


def test_wrong_magic_is_refused():
    with pytest.raises(DigitnetError, match="not an IDX file"):
        parse_idx(b"\x01\x02\x08\x01" + bytes(8))


def test_unknown_type_code_is_refused():
    with pytest.raises(DigitnetError, match="type code 0x07"):
        parse_idx(bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]))


def test_truncated_data_is_refused():
    data = bytes([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + bytes(5)  # one byte short
    with pytest.raises(DigitnetError, match=r"\(2, 3\) need 18 bytes but the file has 17"):
        parse_idx(data)


def test_extra_bytes_are_refused():
    data = bytes([0, 0, 0x08, 1, 0, 0, 0, 2]) + bytes(3)
    with pytest.raises(DigitnetError, match="need 10 bytes but the file has 11"):
        parse_idx(data)


def test_truncated_header_is_refused():
    with pytest.raises(DigitnetError, match="truncated IDX header"):
        parse_idx(bytes([0, 0, 0x08, 3, 0, 0, 0, 1]))


def test_corrupt_gzip_is_refused(tmp_path):
    good = gzip.compress(bytes([0, 0, 0x08, 1, 0, 0, 0, 4, 1, 2, 3, 4]) * 50)
    path = tmp_path / "x.gz"
    path.write_bytes(good[:-30])  # cut: truncated gzip stream
    with pytest.raises(DigitnetError, match="truncated gzip data"):
        read_idx(path)
    path.write_bytes(good[:10] + b"\xff" * 20 + good[30:])  # garbled deflate data
    with pytest.raises(DigitnetError, match="corrupt gzip data"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(DigitnetError, match="file not found"):
        read_idx(tmp_path / "nope.gz")


def test_bundled_files_match_published_sha256():
    folder = bundled_mnist_dir()
    for name, digest in BUNDLED_SHA256.items():
        array = read_idx(folder / name, sha256=digest)  # raises on any mismatch
        assert array.shape[0] in (60000, 10000)


def test_sha256_mismatch_is_reported(tmp_path):
    write_idx(tmp_path / "a-idx1-ubyte", np.zeros(3, np.uint8))
    with pytest.raises(DigitnetError, match="SHA-256"):
        read_idx(tmp_path / "a-idx1-ubyte", sha256="0" * 64)


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_short_incompressible_file_is_refused_naming_the_lengths(tmp_path, name):
    """Random pixels do not compress, so the gzip size bound cannot catch a file that stops
    half an image early: the reader must, instead of returning uninitialised memory."""
    header = bytes([0, 0, 0x08, 3]) + b"".join(n.to_bytes(4, "big") for n in (100, 28, 28))
    pixels = np.random.default_rng(0).integers(0, 256, 99 * 784 + 392, dtype=np.uint8)
    content = header + pixels.tobytes()  # 99.5 images
    path = tmp_path / name
    path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    assert len(path.read_bytes()) > len(content) / 1.1  # incompressible indeed
    message = f"{path}: dimensions (100, 28, 28) need 78416 bytes but the file has 78024 "
    with pytest.raises(DigitnetError, match=re.escape(message)):
        read_idx(path)


# One array per IDX type, with the extreme values of its dtype: every byte of each value counts.
EXTREMES = {
    np.uint8: [0, 1, 255],
    np.int8: [-128, -1, 127],
    np.int16: [-32768, 258, 32767],
    np.int32: [-(2**31), 65793, 2**31 - 1],
    np.float32: [-3.4e38, 1.5, 2.0**-126],
    np.float64: [-1.7e308, 1 / 3, 5e-324],
}


@pytest.mark.parametrize("dtype", list(EXTREMES))
@pytest.mark.parametrize("name", ["a-idx1", "a-idx1.gz"])
def test_every_idx_type_round_trips_exactly(tmp_path, dtype, name):
    array = np.array(EXTREMES[dtype], dtype=dtype)
    write_idx(tmp_path / name, array)
    loaded = read_idx(tmp_path / name)
    assert loaded.dtype == np.dtype(dtype)  # in the machine's byte order again
    np.testing.assert_array_equal(loaded, array)


def test_written_bytes_are_big_endian_idx_and_gzip_only_for_gz(tmp_path):
    array = np.array([[258, -1]], dtype=np.int32)
    expected = bytes([0, 0, 0x0C, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 2, 255, 255, 255, 255])
    write_idx(tmp_path / "raw-idx2", array)
    assert (tmp_path / "raw-idx2").read_bytes() == expected
    write_idx(tmp_path / "packed-idx2.gz", array)
    packed = (tmp_path / "packed-idx2.gz").read_bytes()
    assert packed[:2] == b"\x1f\x8b" and gzip.decompress(packed) == expected


def test_writing_a_dtype_idx_cannot_hold_is_refused(tmp_path):
    with pytest.raises(DigitnetError, match=re.escape("cannot write dtype int64 as IDX")):
        write_idx(tmp_path / "a-idx1", np.zeros(2, dtype=np.int64))
    assert not (tmp_path / "a-idx1").exists()


def test_read_errors_name_the_path(tmp_path):
    with pytest.raises(DigitnetError, match=re.escape(f"{tmp_path}: is a directory, expected an")):
        read_idx(tmp_path)
    long_name = tmp_path / ("x" * 300)
    message = f"{long_name}: cannot read (File name too long)"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        read_idx(long_name)


def sizes(*shape):
    return b"".join(n.to_bytes(4, "big") for n in shape)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\0\0\x08", "too short for an IDX header (3 bytes)"),
        (
            b"\x00\x01\x08\x01" + sizes(1) + b"\0",
            "not an IDX file (magic starts 0001, expected 0000); "
            "is it a MNIST-style images/labels file?",
        ),
        (b"\x01\x00\x08\x01" + sizes(1) + b"\0", "not an IDX file (magic starts 0100, expected"),
        (bytes([0, 0, 8, 0]), "IDX header declares 0 dimensions"),
        (bytes([0, 0, 8, 3]) + sizes(1), "truncated IDX header (8 bytes, need 16)"),
        (
            bytes([0, 0, 8, 3]) + sizes(0, 2**32 - 1, 2**32 - 1),
            "dimensions (0, 4294967295, 4294967295) cannot be loaded",
        ),
    ],
)
def test_bad_headers_are_refused_with_a_message_naming_the_source(data, message):
    with pytest.raises(DigitnetError, match=re.escape(f"<bytes>: {message}")):
        parse_idx(data)  # "<bytes>": the name of data that came from no file


def test_a_long_third_dimension_is_read_whole():
    array = np.arange(65537, dtype=np.uint8).reshape(1, 1, 65537)  # third size 00 01 00 01
    data = bytes([0, 0, 8, 3]) + sizes(1, 1, 65537) + array.tobytes()
    np.testing.assert_array_equal(parse_idx(data), array)


def test_gzip_errors_and_checksum_name_the_file(tmp_path):
    content = bytes([0, 0, 8, 1]) + sizes(200) + bytes(range(200))
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(content)[:-30])
    with pytest.raises(DigitnetError, match=re.escape(f"{path}: truncated gzip data (the stream")):
        read_idx(path)
    path.write_bytes(gzip.compress(content))
    message = f"{path}: SHA-256 of the decompressed data is {hashlib.sha256(content).hexdigest()}"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        read_idx(path, sha256="0" * 64)


def test_a_gzip_bomb_header_is_refused_before_allocating():
    packed = gzip.compress(bytes([0, 0, 8, 3]) + sizes(1000, 1000, 1000) + bytes(100))
    message = (
        f"<bytes>: dimensions (1000, 1000, 1000) need {16 + 10**9} bytes but the file has at "
        f"most {1032 * len(packed)} (its compressed size x 1032) (truncated or corrupt)"
    )
    with pytest.raises(DigitnetError, match=re.escape(message)):
        parse_idx(packed)


def test_absurd_dimensions_without_a_size_bound_are_refused():
    header = bytes([0, 0, 8, 3]) + sizes(2**20, 2**20, 2**20)  # an exbibyte
    message = "x: dimensions (1048576, 1048576, 1048576) are too large to load"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        parse_idx_chunks([header], "x")


def test_gzip_files_of_several_members_are_read_whole():
    content = bytes([0, 0, 8, 1]) + sizes(6) + bytes(range(6))
    packed = gzip.compress(content[:5]) + gzip.compress(content[5:])  # as `cat a.gz b.gz`
    np.testing.assert_array_equal(parse_idx(packed), range(6))
    not_gzip = gzip.compress(content[:5]) + zlib.compress(content[5:])  # a zlib stream follows
    with pytest.raises(DigitnetError, match=re.escape("<bytes>: corrupt gzip data (")):
        parse_idx(not_gzip)


def test_extra_bytes_spanning_several_chunks_are_all_counted():
    n, extra = CHUNK + 100, CHUNK + CHUNK // 2  # data and extra bytes end in later chunks
    packed = gzip.compress(bytes([0, 0, 8, 1]) + sizes(n) + bytes(n + extra))
    message = f"<bytes>: dimensions ({n},) need {8 + n} bytes but the file has {8 + n + extra} "
    with pytest.raises(DigitnetError, match=re.escape(message)):
        parse_idx(packed)


@pytest.mark.parametrize("packed", [False, True], ids=["raw", "gzip"])
def test_reading_holds_one_copy_of_the_data(packed):
    """The module's promise: decompressed in chunks straight into the final array."""
    n = 16 << 20
    content = bytes([0, 0, 8, 1]) + sizes(n) + bytes(n)
    data = gzip.compress(content, compresslevel=1) if packed else content
    tracemalloc.start()
    try:
        array = parse_idx(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert array.shape == (n,) and peak < 1.5 * n  # two copies would be 2 n
