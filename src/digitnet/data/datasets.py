"""Loading datasets: the bundled MNIST, a folder of IDX files in MNIST's naming (Fashion-MNIST,
KMNIST, a learner's own) or EMNIST's, or a Kaggle CSV; with the names of their classes.

Every loader returns images as (n, pixels) rows and labels as int64. Pixels come either as raw
uint8 (0-255, compact: 47 MB for MNIST's training set) or as float pixel / 255 in [0, 1].
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..errors import DigitnetError
from . import emnist
from .classes import check_labels, csv_classes, folder_classes, parse_classes
from .idx import read_idx
from .kaggle_csv import load_csv
from .pixels import scale_pixels

# SHA-256 of the decompressed bytes of the official MNIST files.
BUNDLED_SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",  # noqa: E501
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",  # noqa: E501
}
Arrays = tuple[np.ndarray, np.ndarray]


def bundled_mnist_dir() -> Path:
    """Return the folder inside the installed package that holds the four MNIST files."""
    return Path(__file__).resolve().parent / "mnist"


def _find(folder: Path, stem: str) -> Path | None:
    """Find e.g. train-images-idx3-ubyte[.gz] (or the common train-images.idx3-ubyte spelling)."""
    dotted = stem[::-1].replace("xdi-", "xdi.", 1)[::-1]  # the last "-idx" as ".idx"
    for name in (stem, dotted):
        for suffix in (".gz", ""):
            if (folder / (name + suffix)).is_file():
                return folder / (name + suffix)
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
    rows, cols = images.shape[1:]  # (not -1: it cannot be inferred for 0 images)
    return images.reshape(len(images), rows * cols), labels.astype(np.int64)


def _read_split(
    folder: Path, split: str, verify: bool, emnist_split: str | None = None
) -> Arrays | None:
    """Read one split (train or t10k) of an IDX folder, in MNIST's naming or (`emnist_split`)
    EMNIST's; None if its files are absent."""
    stems = _stems(split, emnist_split)
    image_file, label_file = _find(folder, stems["images"]), _find(folder, stems["labels"])
    if image_file is None and label_file is None:
        return None
    if image_file is None or label_file is None:
        missing = stems["images"] if image_file is None else stems["labels"]
        raise DigitnetError(f"{folder}: found one {split} file but no {missing}[.gz]")
    images = read_idx(image_file, BUNDLED_SHA256[image_file.name] if verify else None)
    labels = read_idx(label_file, BUNDLED_SHA256[label_file.name] if verify else None)
    if emnist_split and images.ndim == 3:
        images = emnist.upright(images)
    return _check_pair(images, labels, str(folder))


def _stems(split: str, emnist_split: str | None) -> dict[str, str]:
    """The names, without .gz, of a split's images and labels: train-images-idx3-ubyte, ..."""
    return {
        kind: emnist.file_name(emnist_split, split, kind)
        if emnist_split
        else f"{split}-{kind}-idx{3 if kind == 'images' else 1}-ubyte"
        for kind in ("images", "labels")
    }


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


class Dataset(NamedTuple):
    """A dataset as read: its training and test splits (either may be absent), the names of
    its classes (None: unnamed labels, read as digits), how many classes, and where from."""

    train: Arrays | None
    test: Arrays | None
    classes: tuple[str, ...] | None
    n_classes: int
    source: str


def load_dataset(
    source: str | Path | None = None,
    dtype: str = "float32",
    classes: str | None = None,
    train: bool = True,
) -> Dataset:
    """The bundled MNIST (source None), a folder of IDX files (MNIST's naming, or EMNIST's:
    FOLDER or FOLDER/emnist-<split>), or a labelled CSV (its rows are the test split when
    `train` is False). Class names: `classes` ("cat,dog,..."), else the folder's classes.txt (a
    CSV's NAME.classes.txt), else EMNIST's mapping. With train=False only the test split is
    read."""
    names = parse_classes(classes) if classes is not None else None
    if source is not None and str(source).lower().endswith(".csv"):
        pair = load_csv(source, dtype)
        names = names or csv_classes(Path(source))
        n = check_labels([pair[1]], names, str(source))
        return Dataset(pair if train else None, None if train else pair, names, n, str(source))
    folder = bundled_mnist_dir() if source is None else Path(source)
    found = emnist.find_emnist(folder) if source is not None else None
    if found is not None:
        folder, split = found
    else:
        folder, split = _data_folder(folder), None
    names = names or folder_classes(folder)
    mapped = None
    if split is not None:
        mapped, mapping_names = emnist.read_mapping(folder, split)
        names = names or mapping_names
    where = str(source or folder)
    pairs = _read_splits(folder, split, train, where)
    if mapped is not None:
        pairs = [None if p is None else (p[0], emnist.relabel(p[1], mapped, where)) for p in pairs]
    n_classes = check_labels([p[1] for p in pairs if p is not None], names, where)
    scaled = [None if p is None else (scale_pixels(p[0], dtype), p[1]) for p in pairs]
    name = "bundled MNIST" if source is None else str(source)
    return Dataset(scaled[0], scaled[1], names, n_classes, name)


def _read_splits(
    folder: Path, emnist_split: str | None, train: bool, where: str
) -> list[Arrays | None]:
    """[train, test] of an IDX folder: the training split unless train is False, the test split
    if present; a DigitnetError when the split that is needed is absent."""
    verify = _is_bundled(folder)
    pairs = [
        _read_split(folder, "train", verify, emnist_split) if train else None,
        _read_split(folder, "t10k", verify, emnist_split),
    ]
    needed = "train" if train else "t10k"
    if pairs[0 if train else 1] is None:
        images, labels = _stems(needed, emnist_split).values()
        if train:
            raise DigitnetError(f"{where}: no {images}[.gz] / {labels}[.gz] found")
        raise DigitnetError(f"{where}: no {images} / {labels} test files to evaluate on")
    return pairs


def load_idx_folder(folder: str | Path, dtype: str = "float32") -> tuple[Arrays, Arrays | None]:
    """Load train (and, if present, t10k test) IDX files from a folder in MNIST's naming (or
    EMNIST's): ((X_train, y_train), (X_test, y_test) or None)."""
    dataset = load_dataset(folder, dtype)
    assert dataset.train is not None  # load_dataset refuses a folder without training files
    return dataset.train, dataset.test


def load_mnist(dtype: str = "float32") -> tuple[Arrays, Arrays]:
    """Load the bundled MNIST: ((X_train, y_train), (X_test, y_test)), SHA-256 verified.

    Images are (n, 784) rows, float pixel / 255 (or raw 0-255 with dtype="uint8"); labels int64.
    """
    dataset = load_dataset(None, dtype)
    assert dataset.train is not None and dataset.test is not None  # the bundled MNIST has both
    return dataset.train, dataset.test


def load_mnist_split(split: str, dtype: str = "float32") -> Arrays:
    """One split of the bundled MNIST, "train" or "t10k", SHA-256 verified, without reading
    the other: (X, y) as load_mnist gives them."""
    pair = _read_split(bundled_mnist_dir(), split, verify=True)
    if pair is None:
        raise DigitnetError(f"the bundled MNIST has no {split!r} split (train or t10k)")
    return scale_pixels(pair[0], dtype), pair[1]


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
    test = load_dataset(source, dtype, train=False).test
    assert test is not None  # load_dataset refuses a source without a test split
    return test


class DataSplits(NamedTuple):
    """Training data and the set we evaluate on ("test", or a held-out "validation" split),
    with the names of the classes (None: digits) and how many there are."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_eval: np.ndarray
    y_eval: np.ndarray
    eval_name: str  # "test" or "validation"
    source: str
    classes: tuple[str, ...] | None = None
    n_classes: int = 10


def load_data(
    source: str | Path | None = None,
    dtype: str = "uint8",
    limit: int | None = None,
    val_fraction: float = 0.1,
    seed: int = 0,
    classes: str | None = None,
) -> DataSplits:
    """Load bundled MNIST (source None), an IDX folder or a CSV, for the CLI's train command."""
    dataset = load_dataset(source, dtype, classes)
    assert dataset.train is not None
    (X, y), test = dataset.train, dataset.test
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
    return DataSplits(
        X, y, test[0], test[1], eval_name, dataset.source, dataset.classes, dataset.n_classes
    )


def require_ten_classes(splits: DataSplits, what: str) -> DataSplits:
    """`splits`, refused in one line if its labels go past the ten that `what` reads."""
    if splits.n_classes > 10:
        raise DigitnetError(
            f"{splits.source}: {splits.n_classes} classes; {what} reads data of at most 10 "
            "(train, evaluate, plot and compare read more)"
        )
    return splits
