"""Metrics on predicted and true labels: accuracy, per-class accuracy, confusion matrix."""

from __future__ import annotations

import numpy as np


def accuracy(predicted: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of predicted labels equal to the true labels."""
    return float(np.mean(predicted == labels))


def confusion_matrix(
    predicted: np.ndarray, labels: np.ndarray, num_classes: int = 10
) -> np.ndarray:
    """Counts (C, C): row = true label, column = predicted label."""
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts


def per_class_accuracy(
    predicted: np.ndarray, labels: np.ndarray, num_classes: int = 10
) -> np.ndarray:
    """Accuracy on the samples of each true class (NaN for a class with no samples)."""
    counts = confusion_matrix(predicted, labels, num_classes)
    totals = counts.sum(axis=1)
    with np.errstate(invalid="ignore"):  # 0/0 for an absent class is reported as NaN on purpose
        return np.diag(counts) / totals
