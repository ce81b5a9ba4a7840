"""Accuracy, the confusion matrix and per-class accuracy, against counts worked out by hand."""

import warnings

import numpy as np

from digitnet.nn.metrics import accuracy, confusion_matrix, per_class_accuracy

PREDICTED = np.array([0, 1, 1, 2, 2, 2, 0])
LABELS = np.array([0, 1, 2, 2, 2, 0, 0])


def test_accuracy():
    assert accuracy(PREDICTED, LABELS) == 5 / 7


def test_confusion_matrix_rows_are_true_labels_and_columns_predictions():
    counts = confusion_matrix(PREDICTED, LABELS, num_classes=3)
    np.testing.assert_array_equal(counts, [[2, 0, 1], [0, 1, 0], [0, 1, 2]])
    assert counts.dtype == np.int64
    assert confusion_matrix(PREDICTED, LABELS).shape == (10, 10)  # digits by default
    assert confusion_matrix(np.array([3, 3]), np.array([3, 3]))[3, 3] == 2  # repeats add up


def test_per_class_accuracy_is_nan_for_an_absent_class():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0/0 on purpose: no RuntimeWarning
        result = per_class_accuracy(PREDICTED, LABELS, num_classes=4)
    np.testing.assert_allclose(result[:3], [2 / 3, 1.0, 2 / 3])
    assert np.isnan(result[3])
    assert len(per_class_accuracy(PREDICTED, LABELS)) == 10


def test_per_class_accuracy_has_one_entry_per_class():
    result = per_class_accuracy(np.array([11, 0, 11]), np.array([11, 0, 5]), num_classes=12)
    assert result.shape == (12,)
    np.testing.assert_array_equal(result[[0, 5, 11]], [1.0, 0.0, 1.0])
    assert np.isnan(result[[1, 2, 3, 4, 6, 7, 8, 9, 10]]).all()
    assert per_class_accuracy(PREDICTED, LABELS, num_classes=3).shape == (3,)
