"""The IDX reader: valid files round-trip; corrupt, truncated and foreign files are refused."""

import gzip
import re

import numpy as np
import pytest

from digitnet.data.datasets import BUNDLED_SHA256, bundled_mnist_dir
from digitnet.data.idx import parse_idx, read_idx, write_idx
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
