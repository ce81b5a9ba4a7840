"""Loading digit datasets: the bundled MNIST, any folder of MNIST-named IDX files, or a Kaggle CSV.

Every loader returns images as (n, 784) rows and labels as int64. Pixels come either as raw uint8
(0-255, compact: 47 MB for MNIST's training set) or as float pixel / 255 in [0, 1].
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..errors import DigitnetError
from .idx import read_idx

if TYPE_CHECKING:
    import pandas as pd

NUM_CLASSES = 10
# SHA-256 of the decompressed bytes of the official MNIST files.
BUNDLED_SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",  # noqa: E501
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",  # noqa: E501
}
PIXEL_DTYPES = ("uint8", "float32", "float64")

Arrays = tuple[np.ndarray, np.ndarray]


def bundled_mnist_dir() -> Path:
    """Return the folder inside the installed package that holds the four MNIST files."""
    return Path(__file__).resolve().parent / "mnist"


def scale_pixels(images: np.ndarray, dtype: str = "float32") -> np.ndarray:
    """Return uint8 images as `dtype`: float pixel / 255, or unchanged for "uint8"."""
    if dtype not in PIXEL_DTYPES:
        raise DigitnetError(f"dtype must be one of {', '.join(PIXEL_DTYPES)}, got {dtype!r}")
    if dtype == "uint8":
        return images
    scaled = images.astype(dtype)
    scaled /= 255  # in place: no second float copy
    return scaled


def _find(folder: Path, kind: str, split: str) -> Path | None:
    """Find e.g. train-images-idx3-ubyte[.gz] (or the common train-images.idx3-ubyte spelling)."""
    ndim = 3 if kind == "images" else 1
    for sep in ("-", "."):
        for suffix in (".gz", ""):
            candidate = folder / f"{split}-{kind}{sep}idx{ndim}-ubyte{suffix}"
            if candidate.is_file():
                return candidate
    return None


def _check_pair(images: np.ndarray, labels: np.ndarray, where: str) -> Arrays:
    """Validate an images/labels pair and return (n, pixels) uint8 rows and int64 labels."""
    if images.dtype != np.uint8 or images.ndim != 3:
        raise DigitnetError(
            f"{where}: expected uint8 images of shape (n, rows, cols), got "
            f"{images.dtype} {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise DigitnetError(
            f"{where}: expected uint8 labels of shape (n,), got {labels.dtype} {labels.shape}"
        )
    if len(images) != len(labels):
        raise DigitnetError(f"{where}: {len(images)} images but {len(labels)} labels")
    if len(labels) and labels.max() >= NUM_CLASSES:
        raise DigitnetError(f"{where}: label {int(labels.max())} outside 0-{NUM_CLASSES - 1}")
    rows, cols = images.shape[1:]  # (not -1: it cannot be inferred for 0 images)
    return images.reshape(len(images), rows * cols), labels.astype(np.int64)


def _read_split(folder: Path, split: str, verify: bool) -> Arrays | None:
    """Read one split (train or t10k) of an IDX folder; None if its files are absent."""
    image_file, label_file = _find(folder, "images", split), _find(folder, "labels", split)
    if image_file is None and label_file is None:
        return None
    if image_file is None or label_file is None:
        missing = f"{split}-images" if image_file is None else f"{split}-labels"
        raise DigitnetError(f"{folder}: found one {split} file but no {missing}-idx*-ubyte[.gz]")
    images = read_idx(image_file, BUNDLED_SHA256[image_file.name] if verify else None)
    labels = read_idx(label_file, BUNDLED_SHA256[label_file.name] if verify else None)
    return _check_pair(images, labels, str(folder))


def _is_bundled(folder: Path) -> bool:
    """Whether `folder` is the package's own MNIST (whose files are checked against SHA-256)."""
    return folder.resolve() == bundled_mnist_dir().resolve()


def _data_folder(folder: str | Path) -> Path:
    """`folder` as a Path, if it is a folder; else a DigitnetError saying what it is instead."""
    folder = Path(folder)
    if folder.is_file():
        raise DigitnetError(
            f"{folder}: a file, not a dataset: give a folder of MNIST-named IDX files or a "
            "CSV file (to read the digit in a picture: digitnet predict MODEL IMAGE)"
        )
    if not folder.is_dir():
        raise DigitnetError(f"{folder}: data folder not found")
    return folder


def load_idx_folder(folder: str | Path, dtype: str = "float32") -> tuple[Arrays, Arrays | None]:
    """Load train (and, if present, t10k test) IDX files from a folder in the MNIST naming."""
    folder = _data_folder(folder)
    verify = _is_bundled(folder)
    train = _read_split(folder, "train", verify)
    if train is None:
        raise DigitnetError(
            f"{folder}: no train-images-idx3-ubyte[.gz] / train-labels-idx1-ubyte[.gz] found"
        )
    test = _read_split(folder, "t10k", verify)
    scale = lambda pair: (scale_pixels(pair[0], dtype), pair[1])  # noqa: E731
    return scale(train), (scale(test) if test is not None else None)


def load_mnist(dtype: str = "float32") -> tuple[Arrays, Arrays]:
    """Load the bundled MNIST: ((X_train, y_train), (X_test, y_test)), SHA-256 verified.

    Images are (n, 784) rows, float pixel / 255 (or raw 0-255 with dtype="uint8"); labels int64.
    """
    train, test = load_idx_folder(bundled_mnist_dir(), dtype)
    assert test is not None, "the bundled MNIST always has a test split"
    return train, test


def load_mnist_split(split: str, dtype: str = "float32") -> Arrays:
    """One split of the bundled MNIST, "train" or "t10k", SHA-256 verified, without reading
    the other: (X, y) as load_mnist gives them."""
    pair = _read_split(bundled_mnist_dir(), split, verify=True)
    if pair is None:
        raise DigitnetError(f"the bundled MNIST has no {split!r} split (train or t10k)")
    return scale_pixels(pair[0], dtype), pair[1]


def load_csv(path: str | Path, dtype: str = "float32") -> Arrays:
    """Load a Kaggle "Digit Recognizer" CSV: a `label` column, then 784 pixel columns (0-255)."""
    frame = _read_csv(path)
    if "label" not in frame.columns:
        raise DigitnetError(f"{path}: no 'label' column (columns start {list(frame.columns[:3])})")
    images = _pixels(frame.drop(columns="label"), path, "besides 'label'")
    labels = frame["label"].to_numpy(dtype=np.float64)
    if np.any(labels != np.round(labels)) or labels.min() < 0 or labels.max() >= NUM_CLASSES:
        raise DigitnetError(
            f"{path}: labels must be integers 0-9, found values from "
            f"{labels.min():g} to {labels.max():g}"
        )
    return scale_pixels(images, dtype), labels.astype(np.int64)


def load_csv_images(path: str | Path, dtype: str = "uint8") -> np.ndarray:
    """Load the images of a Kaggle CSV with or without labels (its test.csv has none: columns
    pixel0 ... pixel783); a `label` column, if any, is ignored."""
    frame = _read_csv(path)
    return scale_pixels(_pixels(frame.drop(columns="label", errors="ignore"), path), dtype)


def _read_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV of digits with pandas, checking that every cell is a number."""
    import pandas as pd  # heavy: imported only when a CSV is read

    path = Path(path)
    if not path.is_file():
        raise DigitnetError(f"{path}: CSV file not found")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DigitnetError(f"{path}: the CSV file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DigitnetError(f"{path}: cannot parse as CSV ({error})") from None
    if len(frame) == 0:
        raise DigitnetError(f"{path}: the CSV has a header but no rows")
    if all(_is_number(name) for name in frame.columns):  # its first row was taken as the header
        raise DigitnetError(
            f"{path}: no header row; Kaggle's CSV files start with one (label, pixel0, ..., "
            "pixel783; test.csv without label)"
        )
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            as_numbers = pd.to_numeric(frame[column], errors="coerce")
            row = int(np.argmax(as_numbers.isna().to_numpy()))
            raise DigitnetError(
                f"{path}: non-numeric cell {frame[column].iloc[row]!r} at data row "
                f"{row + 1}, column {column!r}"
            )
    values = frame.to_numpy(dtype=np.float64)
    empty = np.argwhere(np.isnan(values))
    if len(empty):
        row, col = empty[0]
        raise DigitnetError(
            f"{path}: empty cell at data row {row + 1}, column {frame.columns[col]!r}"
        )
    return frame


def _is_number(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def _pixels(frame: pd.DataFrame, path: str | Path, besides: str = "") -> np.ndarray:
    """The 784 pixel columns of a CSV's frame as uint8 rows, checked to be integers 0-255."""
    if frame.shape[1] != 784:
        where = f" {besides}" if besides else ""
        raise DigitnetError(f"{path}: expected 784 pixel columns{where}, found {frame.shape[1]}")
    images = frame.to_numpy(dtype=np.float64)
    if np.any(images != np.round(images)) or images.min() < 0 or images.max() > 255:
        raise DigitnetError(
            f"{path}: pixels must be integers 0-255, found values from "
            f"{images.min():g} to {images.max():g}"
        )
    return images.astype(np.uint8)


def split_validation(
    X: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[Arrays, Arrays]:
    """Hold out a seeded random `fraction` of (X, y) for validation: (train, validation)."""
    if not 0 < fraction < 1:
        raise DigitnetError(f"validation fraction must be between 0 and 1, got {fraction}")
    order = np.random.default_rng(seed).permutation(len(X))
    n_val = max(1, int(round(len(X) * fraction)))
    val, train = order[:n_val], order[n_val:]
    return (X[train], y[train]), (X[val], y[val])


def load_test_set(source: str | Path | None = None, dtype: str = "uint8") -> Arrays:
    """The set `evaluate` scores on: bundled MNIST's test set, an IDX folder's t10k files, or
    every row of a labelled CSV."""
    if source is None:
        return load_mnist(dtype)[1]
    if str(source).lower().endswith(".csv"):
        return load_csv(source, dtype)
    folder = _data_folder(source)  # only its test files: the training files may be absent
    test = _read_split(folder, "t10k", _is_bundled(folder))
    if test is None:
        raise DigitnetError(f"{source}: no t10k-images/t10k-labels test files to evaluate on")
    return scale_pixels(test[0], dtype), test[1]


class DataSplits(NamedTuple):
    """Training data and the set we evaluate on ("test", or a held-out "validation" split)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_eval: np.ndarray
    y_eval: np.ndarray
    eval_name: str  # "test" or "validation"
    source: str


def load_data(
    source: str | Path | None = None,
    dtype: str = "uint8",
    limit: int | None = None,
    val_fraction: float = 0.1,
    seed: int = 0,
) -> DataSplits:
    """Load bundled MNIST (source None), an IDX folder or a CSV, for the CLI's train command."""
    if source is None:
        (X, y), test = load_mnist(dtype)
        name = "bundled MNIST"
    elif str(source).lower().endswith(".csv"):
        X, y = load_csv(source, dtype)
        test, name = None, str(source)
    else:
        (X, y), test = load_idx_folder(source, dtype)
        name = str(source)
    eval_name = "test"
    if test is None:
        (X, y), test = split_validation(X, y, val_fraction, seed)
        eval_name = "validation"
    if limit is not None:
        if not 1 <= limit <= len(X):
            raise DigitnetError(
                f"--limit must be between 1 and {len(X)} (the training samples "
                f"available), got {limit}"
            )
        X, y = X[:limit], y[:limit]
    return DataSplits(X, y, test[0], test[1], eval_name, name)
