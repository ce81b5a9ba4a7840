"""Dataset loaders: bundled MNIST, IDX folders, Kaggle CSV, validation splits."""

import gzip
import hashlib
import re

import numpy as np
import pytest

import digitnet as dn
from digitnet.data.datasets import (
    load_data,
    load_mnist_split,
    load_test_set,
    scale_pixels,
    split_validation,
)
from digitnet.data.kaggle_csv import load_csv_images
from digitnet.errors import DigitnetError


def test_load_mnist_shapes_types_and_range():
    (X, y), (X_test, y_test) = dn.load_mnist()
    assert X.shape == (60000, 784) and X.dtype == np.float32
    assert X_test.shape == (10000, 784) and y_test.shape == (10000,)
    assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    assert X.min() == 0.0 and X.max() == 1.0
    # the canonical first training label is a 5, and its pixels are pixel / 255
    assert y[0] == 5
    (X8, _), _ = dn.load_mnist(dtype="uint8")
    assert X8.dtype == np.uint8
    np.testing.assert_array_equal(X[0], X8[0].astype(np.float32) / np.float32(255))


def test_one_split_of_the_bundled_mnist_is_load_mnists():
    (X, y), (X_test, y_test) = dn.load_mnist(dtype="uint8")
    X_train, y_train = load_mnist_split("train", "uint8")
    np.testing.assert_array_equal(X_train, X)
    np.testing.assert_array_equal(y_train, y)
    np.testing.assert_array_equal(load_mnist_split("t10k", "uint8")[1], y_test)
    with pytest.raises(DigitnetError, match="no 'valid' split"):
        load_mnist_split("valid")


def test_idx_folder_with_test_split(idx_folder):
    (X, y), test = dn.load_idx_folder(idx_folder, dtype="uint8")
    assert X.shape == (200, 784) and test[0].shape == (100, 784)


def test_idx_folder_without_test_split_holds_out_validation(idx_folder):
    for path in idx_folder.glob("t10k-*"):
        path.unlink()
    data = load_data(idx_folder, val_fraction=0.25, seed=0)
    assert data.eval_name == "validation"
    assert len(data.X_train) == 150 and len(data.X_eval) == 50


def test_missing_folder_and_missing_labels(tmp_path, idx_folder):
    with pytest.raises(DigitnetError, match="not found"):
        dn.load_idx_folder(tmp_path / "none")
    (idx_folder / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DigitnetError, match="train-labels"):
        dn.load_idx_folder(idx_folder)


def test_a_label_beyond_the_class_names_is_refused(idx_folder):
    from digitnet.data.idx import write_idx

    write_idx(idx_folder / "train-labels-idx1-ubyte.gz", np.full(200, 12, np.uint8))
    assert dn.load_dataset(idx_folder).n_classes == 13  # unnamed: as many as the labels need
    (idx_folder / "classes.txt").write_text("\n".join("abcdefghij") + "\n")
    with pytest.raises(DigitnetError, match="label 12 has no name: 10 class names are given"):
        dn.load_idx_folder(idx_folder)


def test_image_label_count_mismatch(idx_folder):
    from digitnet.data.idx import write_idx

    write_idx(idx_folder / "train-labels-idx1-ubyte.gz", np.zeros(199, np.uint8))
    with pytest.raises(DigitnetError, match="200 images but 199 labels"):
        dn.load_idx_folder(idx_folder)


def test_csv_loads_and_is_split_for_validation(csv_file):
    X, y = dn.load_csv(csv_file, dtype="uint8")
    assert X.shape == (150, 784) and X.dtype == np.uint8 and y.dtype == np.int64
    data = load_data(csv_file, val_fraction=0.2, seed=1)
    assert data.eval_name == "validation" and len(data.X_eval) == 30
    again = load_data(csv_file, val_fraction=0.2, seed=1)
    np.testing.assert_array_equal(data.y_eval, again.y_eval)  # the split is seeded


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("a,b\n1,2\n", "no 'label' column"),
        ("label," + ",".join(f"p{i}" for i in range(783)) + "\n" + "1" + ",0" * 783, "784 pixel"),
        ("label," + ",".join(f"p{i}" for i in range(784)) + "\n1" + ",x" + ",0" * 783, "non-num"),
        ("label," + ",".join(f"p{i}" for i in range(784)) + "\n1," + ",0" * 783, "empty cell"),
        ("label," + ",".join(f"p{i}" for i in range(784)) + "\n1" + ",300" * 784, "0-255"),
        ("label," + ",".join(f"p{i}" for i in range(784)) + "\n11" + ",0" * 784, "labels must"),
    ],
)
def test_bad_csv_is_refused(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(DigitnetError, match=message):
        dn.load_csv(path)


def test_limit_takes_the_first_samples(idx_folder):
    data = load_data(idx_folder, limit=20)
    full = load_data(idx_folder)
    np.testing.assert_array_equal(data.X_train, full.X_train[:20])
    with pytest.raises(DigitnetError, match="--limit must be between 1 and 200"):
        load_data(idx_folder, limit=201)


def test_split_validation_is_disjoint():
    X = np.arange(100).reshape(100, 1)
    (Xa, _), (Xb, _) = split_validation(X, np.arange(100), 0.1, seed=3)
    assert len(Xb) == 10 and not set(Xa.ravel()) & set(Xb.ravel())


PIXELS = [f"pixel{i}" for i in range(784)]


def write_csv(path, header, rows):
    lines = [",".join(header), *(",".join(map(str, row)) for row in rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_csv_images_with_or_without_a_label_column(tmp_path):
    pixels = np.arange(2 * 784).reshape(2, 784) % 256  # every value 0-255, 255 included
    path = write_csv(tmp_path / "test.csv", PIXELS, pixels)  # Kaggle's test.csv: no labels
    X = load_csv_images(path)
    assert X.dtype == np.uint8
    np.testing.assert_array_equal(X, pixels)
    X = load_csv_images(path, dtype="float32")
    assert X.dtype == np.float32
    np.testing.assert_array_equal(X, pixels.astype(np.float32) / np.float32(255))
    labelled = write_csv(tmp_path / "train.csv", ["label", *PIXELS], [[7, *p] for p in pixels])
    np.testing.assert_array_equal(load_csv_images(labelled), pixels)  # the label is ignored


def test_pixel_column_count_message_says_besides_label_only_when_there_is_one(tmp_path):
    path = write_csv(tmp_path / "a.csv", PIXELS[:783], [[0] * 783])
    message = f"{path}: expected 784 pixel columns, found 783"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        load_csv_images(path)
    path = write_csv(tmp_path / "b.csv", ["label", *PIXELS[:783]], [[1] + [0] * 783])
    message = f"{path}: expected 784 pixel columns besides 'label', found 783"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_csv(path)


@pytest.mark.parametrize(
    "label, found", [(-1, "from -1 to 3"), (10, "from 3 to 10"), (1.5, "from 1.5 to 3")]
)
def test_csv_labels_outside_0_9_or_not_integers_are_refused(tmp_path, label, found):
    path = write_csv(
        tmp_path / "a.csv", ["label", *PIXELS], [[label] + [0] * 784, [3] + [0] * 784]
    )
    message = f"{path}: labels must be integers 0-9, found values {found}"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_csv(path)


@pytest.mark.parametrize(
    "pixel, found", [(-1, "from -1 to 0"), (256, "from 0 to 256"), (0.5, "from 0 to 0.5")]
)
def test_csv_pixels_outside_0_255_or_not_integers_are_refused(tmp_path, pixel, found):
    path = write_csv(tmp_path / "a.csv", ["label", *PIXELS], [[1, pixel] + [0] * 783])
    message = f"{path}: pixels must be integers 0-255, found values {found}"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_csv(path)


def test_csv_labels_and_pixels_at_the_ends_of_their_ranges_are_kept(tmp_path):
    rows = [[0, 255] + [0] * 783, [9, 0] + [255] * 783]
    X, y = dn.load_csv(write_csv(tmp_path / "a.csv", ["label", *PIXELS], rows), dtype="uint8")
    np.testing.assert_array_equal(y, [0, 9])
    np.testing.assert_array_equal(X, np.array(rows)[:, 1:])


def test_csv_true_and_false_cells_read_as_1_and_0(tmp_path):
    """pandas counts a True/False column as numbers; the loader keeps that reading."""
    rows = [[1, "True"] + [0] * 783, [2, "False"] + [7] * 783]
    X, y = dn.load_csv(write_csv(tmp_path / "a.csv", ["label", *PIXELS], rows), dtype="uint8")
    np.testing.assert_array_equal(X[:, :2], [[1, 0], [0, 7]])
    np.testing.assert_array_equal(y, [1, 2])


def test_csv_cell_errors_name_the_data_row_and_column(tmp_path):
    rows = [[1] + [0] * 784 for _ in range(3)]
    rows[2][6] = "x"  # data row 3, column pixel5
    path = write_csv(tmp_path / "a.csv", ["label", *PIXELS], rows)
    message = f"{path}: non-numeric cell 'x' at data row 3, column 'pixel5'"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_csv(path)
    rows[2][6], rows[1][6] = 0, ""  # data row 2, column pixel5
    path = write_csv(tmp_path / "b.csv", ["label", *PIXELS], rows)
    message = f"{path}: empty cell at data row 2, column 'pixel5'"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        load_csv_images(path)


def test_csv_structure_errors(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["label", *PIXELS], [])
    message = f"{path}: the CSV has a header but no rows"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_csv(path)
    path = write_csv(tmp_path / "b.csv", ["1", *["0"] * 784], [[2] + [0] * 784])
    message = (
        f"{path}: no header row; Kaggle's CSV files start with one (label, pixel0, ..., "
        "pixel783; test.csv without label)"
    )
    with pytest.raises(DigitnetError, match=re.escape(message)):
        load_csv_images(path)
    path = write_csv(tmp_path / "c.csv", ["a", "b", "c", "d"], [[1, 2, 3, 4]])
    message = f"{path}: no 'label' column (columns start ['a', 'b', 'c'])"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_csv(path)


@pytest.mark.parametrize("content", [b"a,b\n1,2\n1,2,3,4\n", b"label,pixel0\n\xff\xfe,1\n"])
def test_unparsable_csv_is_refused(tmp_path, content):
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(DigitnetError, match=re.escape(f"{path}: cannot parse as CSV (")):
        dn.load_csv(path)


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.1])
def test_split_validation_refuses_fractions_outside_0_1(fraction):
    message = f"validation fraction must be between 0 and 1, got {fraction}"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        split_validation(np.zeros((10, 1)), np.zeros(10), fraction, seed=0)


def test_split_validation_holds_out_at_least_one_sample():
    X, y = np.arange(10).reshape(10, 1), np.arange(10)
    (X_train, y_train), (X_val, y_val) = split_validation(X, y, 0.01, seed=0)
    assert len(X_val) == 1 and len(X_train) == 9
    assert sorted([*y_train, *y_val]) == list(range(10))
    (X_train, _), (X_val, _) = split_validation(X, y, 0.3, seed=0)
    assert len(X_val) == 3 and len(X_train) == 7


def test_load_test_set_from_each_source(idx_folder, csv_file):
    X, y = load_test_set()  # the bundled MNIST test set, raw pixels
    assert X.shape == (10000, 784) and X.dtype == np.uint8
    np.testing.assert_array_equal(y[:5], [7, 2, 1, 0, 4])  # MNIST's canonical first test labels
    X, y = load_test_set(csv_file)  # every row of a labelled CSV
    expected = dn.load_csv(csv_file, dtype="uint8")
    assert X.dtype == np.uint8
    np.testing.assert_array_equal(X, expected[0])
    np.testing.assert_array_equal(y, expected[1])
    assert load_test_set(csv_file, dtype="float32")[0].dtype == np.float32
    X, y = load_test_set(idx_folder)  # the folder's t10k files
    assert X.shape == (100, 784) and X.dtype == np.uint8 and len(y) == 100
    for path in idx_folder.glob("t10k-*"):
        path.unlink()
    message = (
        f"{idx_folder}: no t10k-images-idx3-ubyte / t10k-labels-idx1-ubyte "
        "test files to evaluate on"
    )
    with pytest.raises(DigitnetError, match=re.escape(message)):
        load_test_set(idx_folder)


def test_load_test_set_knows_a_csv_by_its_suffix_in_any_case(csv_file):
    upper = csv_file.rename(csv_file.with_name("TRAIN.CSV"))
    X, y = load_test_set(upper)
    assert X.shape == (150, 784) and len(y) == 150


def test_load_data_names_its_source_and_keeps_raw_pixels(idx_folder, csv_file):
    data = load_data()
    assert data.source == "bundled MNIST" and data.eval_name == "test"
    assert data.X_train.shape == (60000, 784) and data.X_train.dtype == np.uint8
    data = load_data(csv_file)  # default: 10% held out for validation
    assert data.source == str(csv_file) and data.eval_name == "validation"
    assert len(data.X_train) == 135 and len(data.X_eval) == 15
    assert data.X_train.dtype == np.uint8
    data = load_data(idx_folder)
    assert data.source == str(idx_folder) and data.X_train.dtype == np.uint8


def test_idx_folder_in_the_dot_spelling_and_uncompressed(idx_folder):
    """train-images.idx3-ubyte (no .gz) is another common spelling of the same files."""
    expected = dn.load_idx_folder(idx_folder)
    folder = idx_folder / "dot"
    folder.mkdir()
    for path in idx_folder.glob("*.gz"):
        name = path.name.removesuffix(".gz").replace("-idx", ".idx")
        (folder / name).write_bytes(gzip.decompress(path.read_bytes()))
    assert len(list(folder.glob("*.idx?-ubyte"))) == 4
    (X, y), (X_test, y_test) = dn.load_idx_folder(folder)  # default: float pixel / 255
    assert X.dtype == np.float32 and X.shape == (200, 784)
    np.testing.assert_array_equal(X, expected[0][0])
    np.testing.assert_array_equal(y_test, expected[1][1])


@pytest.mark.parametrize("split", ["train", "t10k"])
@pytest.mark.parametrize("kind, missing", [("images", "labels"), ("labels", "images")])
def test_idx_folder_with_one_file_of_a_pair_is_refused(idx_folder, split, kind, missing):
    stem = f"{split}-{missing}-idx{3 if missing == 'images' else 1}-ubyte"
    (idx_folder / f"{stem}.gz").unlink()
    message = f"{idx_folder}: found one {split} file but no {stem}[.gz]"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_idx_folder(idx_folder)


@pytest.mark.parametrize(
    "kind, array, message",
    [
        ("images", np.zeros((200, 784), np.uint8), "uint8 images of shape (n, rows, cols), got"),
        ("images", np.zeros((200, 28, 28), np.int8), "uint8 images of shape (n, rows, cols), got"),
        ("labels", np.zeros((200, 1), np.uint8), "uint8 labels of shape (n,), got"),
        ("labels", np.zeros(200, np.int16), "uint8 labels of shape (n,), got"),
    ],
)
def test_idx_folder_with_wrong_dtype_or_shape_is_refused(idx_folder, kind, array, message):
    from digitnet.data.idx import write_idx

    write_idx(idx_folder / f"train-{kind}-idx{3 if kind == 'images' else 1}-ubyte.gz", array)
    message = f"{idx_folder}: expected {message} {array.dtype} {array.shape}"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_idx_folder(idx_folder)


def test_idx_folder_label_10_and_count_mismatch_name_the_folder(idx_folder):
    from digitnet.data.idx import write_idx

    write_idx(idx_folder / "train-labels-idx1-ubyte.gz", np.full(200, 10, np.uint8))
    message = f"{idx_folder}: label 10 has no name"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_dataset(idx_folder, classes="0,1,2,3,4,5,6,7,8,9")
    write_idx(idx_folder / "train-labels-idx1-ubyte.gz", np.zeros(199, np.uint8))
    message = f"{idx_folder}: 200 images but 199 labels"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_idx_folder(idx_folder)


@pytest.mark.parametrize("damaged", ["train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
def test_the_bundled_folder_is_checked_against_its_sha256(idx_folder, monkeypatch, damaged):
    """Stand the tiny folder in for the bundled one, with its files' digests but one."""
    from digitnet.data import datasets

    digests = {
        path.name: hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
        for path in idx_folder.glob("*.gz")
    }
    monkeypatch.setattr(datasets, "bundled_mnist_dir", lambda: idx_folder)
    monkeypatch.setattr(datasets, "BUNDLED_SHA256", digests)
    assert dn.load_idx_folder(idx_folder)[1][0].shape == (100, 784)  # all digests right
    digests[damaged] = "0" * 64
    message = f"{idx_folder / damaged}: SHA-256 of the decompressed data is "
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_idx_folder(idx_folder)


def test_load_data_defaults_hold_out_a_seed_0_tenth(csv_file):
    X, y = dn.load_csv(csv_file, dtype="uint8")
    (_, _), (X_val, y_val) = split_validation(X, y, 0.1, seed=0)
    data = load_data(csv_file)
    np.testing.assert_array_equal(data.X_eval, X_val)
    np.testing.assert_array_equal(data.y_eval, y_val)


@pytest.mark.parametrize("limit", [1, 200])
def test_limit_may_be_1_or_every_sample(idx_folder, limit):
    data = load_data(idx_folder, limit=limit)
    assert len(data.X_train) == len(data.y_train) == limit
    message = "--limit must be between 1 and 200 (the training samples available), got 0"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        load_data(idx_folder, limit=0)


def test_pixels_scale_to_float32_by_default_and_other_dtypes_are_refused(idx_folder):
    scaled = scale_pixels(np.array([0, 51, 255], dtype=np.uint8))
    assert scaled.dtype == np.float32
    np.testing.assert_array_equal(scaled, np.array([0, 0.2, 1], dtype=np.float32))
    message = "dtype must be one of uint8, float32, float64, got 'int8'"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        dn.load_idx_folder(idx_folder, dtype="int8")


def test_an_idx_folder_with_no_images_is_refused_in_one_line(tmp_path, capsys):
    from digitnet.app.cli import main
    from digitnet.data.idx import write_idx

    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((0, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(0, np.uint8))
    X, y = dn.load_idx_folder(tmp_path)[0]
    assert X.shape == (0, 784) and y.shape == (0,)
    assert main(["train", "--data", str(tmp_path), "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("digitnet: error:")
