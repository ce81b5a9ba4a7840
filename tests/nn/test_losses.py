"""Softmax cross-entropy: stable for huge logits, correct gradient, hand-computed values."""

import numpy as np
import pytest

import digitnet as dn
from digitnet.nn.gradcheck import numerical_gradient, relative_error
from digitnet.nn.losses import SoftmaxCrossEntropy, cross_entropy_sum, log_softmax, softmax


def test_hand_computed_loss_and_gradient():
    loss = SoftmaxCrossEntropy()
    logits = np.array([[0.0, np.log(3.0)], [0.0, 0.0]])  # probs [1/4, 3/4] and [1/2, 1/2]
    value = loss.forward(logits, np.array([1, 0]))
    assert np.isclose(value, -(np.log(0.75) + np.log(0.5)) / 2)
    np.testing.assert_allclose(loss.backward(), [[0.25 / 2, -0.25 / 2], [-0.5 / 2, 0.5 / 2]])


def test_huge_logits_give_finite_loss_and_gradient():
    loss = SoftmaxCrossEntropy()
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4]], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # (underflow is fine)
        value = loss.forward(logits, np.array([0, 0]))
        grad = loss.backward()
    assert np.isfinite(value) and np.isclose(value, (0 + (1e4 + np.log(2))) / 2)
    assert np.all(np.isfinite(grad)) and grad.dtype == np.float32
    np.testing.assert_allclose(softmax(logits).sum(axis=1), 1.0)


def test_gradient_matches_finite_differences_with_random_logits():
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((6, 10)) * 3, rng.integers(0, 10, 6)
    loss = SoftmaxCrossEntropy()
    loss.forward(logits, labels)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda: SoftmaxCrossEntropy().forward(logits, labels), logits)
    assert relative_error(analytic, numeric) < 1e-6


def test_log_softmax_matches_naive_formula_for_small_logits():
    z = np.array([[1.0, 2.0, 3.0]])
    naive = np.log(np.exp(z) / np.exp(z).sum())
    np.testing.assert_allclose(log_softmax(z), naive)


def test_log_softmax_and_cross_entropy_sum_are_exact_for_huge_logits():
    """z - max(z) first: without the shift e^10000 overflows and the loss becomes inf."""
    logits = np.array([[1e4, 0.0], [0.0, 1e4], [-1e4, -1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # (underflow is fine)
        log_probs = log_softmax(logits)
        total = cross_entropy_sum(logits, np.array([1, 1, 0]))
    np.testing.assert_array_equal(log_probs[:2], [[0.0, -1e4], [-1e4, 0.0]])
    np.testing.assert_allclose(log_probs[2], [-np.log(2), -np.log(2)], rtol=1e-15)
    assert total == 1e4 + 0.0 + np.log(2)


def test_evaluate_gives_the_exact_finite_loss_of_a_network_with_huge_logits():
    X = np.random.default_rng(0).random((50, 784)).astype(np.float32)
    model = dn.MLP([784, 16, 10], seed=0, dtype="float64")
    model.layers[-1].params["W"] *= 1e5  # logits in the thousands
    logits = model.predict_logits(X)
    assert np.abs(logits).max() > 1000
    y = np.arange(50) % 10
    # -log p[label] = log(sum_k e^z_k) - z_label, with NumPy's stable log-sum-exp
    expected = np.mean(np.logaddexp.reduce(logits, axis=1) - logits[np.arange(50), y])
    result = model.evaluate(X, y)
    assert np.isfinite(result["loss"]) and result["loss"] > 100
    assert result["loss"] == pytest.approx(expected, rel=1e-12)


def test_softmax_shifts_each_row_by_its_own_maximum():
    """A row of small logits beside a row of huge ones: one shift for the whole batch would
    underflow the small row to 0/0."""
    logits = np.array([[0.0, np.log(3.0)], [1e4, 1e4], [-1e4, -1e4 + np.log(3.0)]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # (underflow is fine)
        probs = softmax(logits)
    np.testing.assert_allclose(probs, [[0.25, 0.75], [0.5, 0.5], [0.25, 0.75]], rtol=1e-12)


def test_cross_entropy_sum_adds_float32_losses_in_float64():
    rng = np.random.default_rng(0)
    logits = (rng.standard_normal((1000, 10)) * 3).astype(np.float32)
    labels = rng.integers(0, 10, 1000)
    per_example = -log_softmax(logits)[np.arange(1000), labels]
    assert per_example.dtype == np.float32
    total = cross_entropy_sum(logits, labels)
    assert total == float(per_example.astype(np.float64).sum())
    assert total != float(per_example.sum())  # a float32 sum loses the last digits
