"""Dataset loaders: bundled MNIST, IDX folders, Kaggle CSV, validation splits."""

import numpy as np
import pytest

import digitnet as dn
from digitnet.data.datasets import load_data, split_validation
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


def test_label_out_of_range_is_refused(idx_folder):
    from digitnet.data.idx import write_idx

    write_idx(idx_folder / "train-labels-idx1-ubyte.gz", np.full(200, 12, np.uint8))
    with pytest.raises(DigitnetError, match="label 12 outside 0-9"):
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
