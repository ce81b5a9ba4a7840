"""EMNIST's files: letters and digits in MNIST's format, under names of their own.

One split ("balanced", "letters", "byclass", ...) is four IDX files and a mapping,
    emnist-<split>-train-images-idx3-ubyte.gz   emnist-<split>-test-images-idx3-ubyte.gz
    emnist-<split>-train-labels-idx1-ubyte.gz   emnist-<split>-test-labels-idx1-ubyte.gz
    emnist-<split>-mapping.txt                  "label code [code ...]" a line: 10 65 97 for Aa
and every image is stored transposed (rows as columns). The download holds every split in one
folder: `--data FOLDER` reads the only split there, `--data FOLDER/emnist-letters` one of several.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..errors import DigitnetError

PREFIX = "emnist-"
SPLITS = {"train": "train", "t10k": "test"}  # MNIST's names of the splits -> EMNIST's
MAX_MAPPING_BYTES = 64 * 1024
_TRAIN_IMAGES = re.compile(r"emnist-([a-z]+)-train-images[-.]idx3-ubyte(\.gz)?")


def emnist_splits(folder: Path) -> list[str]:
    """The EMNIST splits whose training images are in `folder`, sorted."""
    if not folder.is_dir():
        return []
    found = (_TRAIN_IMAGES.fullmatch(path.name) for path in folder.iterdir())
    return sorted({match.group(1) for match in found if match})


def find_emnist(path: Path) -> tuple[Path, str] | None:
    """(folder, split) for `path` = FOLDER/emnist-<split>, or a folder of one EMNIST split;
    None when `path` is no EMNIST data; a DigitnetError when a folder holds several splits."""
    if path.name.startswith(PREFIX) and not path.is_dir():
        split = path.name[len(PREFIX) :]
        if split in emnist_splits(path.parent):
            return path.parent, split
        known = ", ".join(PREFIX + s for s in emnist_splits(path.parent)) or "none"
        raise DigitnetError(
            f"{path}: no {path.name}-train-images-idx3-ubyte[.gz] there (EMNIST splits in "
            f"{path.parent}: {known})"
        )
    splits = emnist_splits(path)
    if len(splits) > 1:
        raise DigitnetError(
            f"{path}: holds the EMNIST splits {', '.join(splits)}: choose one with "
            f"--data {path / (PREFIX + splits[0])}"
        )
    return (path, splits[0]) if splits else None


def file_name(split: str, part: str, kind: str) -> str:
    """The stem of an EMNIST file: emnist-letters-test-labels-idx1-ubyte for ("letters",
    "t10k", "labels")."""
    ndim = 3 if kind == "images" else 1
    return f"{PREFIX}{split}-{SPLITS[part]}-{kind}-idx{ndim}-ubyte"


def read_mapping(folder: Path, split: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """The split's labels in order and each one's name (its characters: "A", or "Aa" where
    capital and small letter share a label), from emnist-<split>-mapping.txt."""
    path = folder / f"{PREFIX}{split}-mapping.txt"
    if not path.is_file():
        raise DigitnetError(f"{path}: EMNIST's mapping of labels to characters is missing")
    raw = path.read_bytes()[: MAX_MAPPING_BYTES + 1]
    if len(raw) > MAX_MAPPING_BYTES:
        raise DigitnetError(f"{path}: over {MAX_MAPPING_BYTES // 1024} KB: not a mapping file")
    labels, names = [], []
    for number, line in enumerate(raw.decode("ascii", errors="replace").splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if not all(field.isdecimal() for field in fields) or len(fields) < 2:
            raise DigitnetError(f"{path}: line {number} is not 'label code [code ...]': {line!r}")
        label, codes = int(fields[0]), [int(field) for field in fields[1:]]
        if label > 255 or not all(32 < code < 0x110000 for code in codes):
            raise DigitnetError(f"{path}: line {number}: label or character out of range")
        labels.append(label)
        names.append("".join(chr(code) for code in codes))
    if not labels or len(set(labels)) != len(labels):
        raise DigitnetError(f"{path}: no labels, or a label given twice")
    order = np.argsort(labels, kind="stable")
    return np.array(labels)[order], tuple(names[i] for i in order)


def upright(images: np.ndarray) -> np.ndarray:
    """EMNIST's (n, rows, cols) images, each transposed back to how it was written."""
    return np.ascontiguousarray(images.transpose(0, 2, 1))


def relabel(labels: np.ndarray, mapped: np.ndarray, where: str) -> np.ndarray:
    """EMNIST's labels as 0, 1, ... in the mapping's order (its letters split counts from 1)."""
    index = np.full(256, -1, dtype=np.int64)
    index[mapped] = np.arange(len(mapped))
    relabelled = index[labels]
    if len(labels) and relabelled.min() < 0:
        missing = int(labels[np.argmin(relabelled)])
        raise DigitnetError(f"{where}: label {missing} is not in the split's mapping file")
    return relabelled
