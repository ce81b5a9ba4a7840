"""Kaggle's "Digit Recognizer" CSV files: train.csv (a `label` column, then 784 pixel columns,
0-255) and test.csv (the pixels alone), read with pandas and checked cell by cell."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DigitnetError
from .pixels import scale_pixels

if TYPE_CHECKING:
    import pandas as pd

Arrays = tuple[np.ndarray, np.ndarray]
N_DIGITS = 10  # Kaggle's labels are digits


def load_csv(path: str | Path, dtype: str = "float32") -> Arrays:
    """Load a Kaggle "Digit Recognizer" CSV: a `label` column, then 784 pixel columns (0-255)."""
    frame = _read_csv(path)
    if "label" not in frame.columns:
        raise DigitnetError(f"{path}: no 'label' column (columns start {list(frame.columns[:3])})")
    images = _pixels(frame.drop(columns="label"), path, "besides 'label'")
    labels = frame["label"].to_numpy(dtype=np.float64)
    if np.any(labels != np.round(labels)) or labels.min() < 0 or labels.max() >= N_DIGITS:
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
