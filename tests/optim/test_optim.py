"""Each optimizer's step against numbers worked out by hand; hyper-parameters are validated."""

import math

import numpy as np
import pytest

from digitnet.errors import DigitnetError
from digitnet.optim import SGD, Adam, make_optimizer


def test_plain_gradient_descent_step():
    p, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    SGD(lr=0.1).step([p], [g])
    np.testing.assert_allclose(p, [1.0 - 0.05, -2.0 - 0.025])


def test_momentum_two_steps():
    p, g = np.array([1.0]), np.array([2.0])
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step([p], [g])  # v = 2, p = 1 - 0.2 = 0.8
    opt.step([p], [g])  # v = 0.9*2 + 2 = 3.8, p = 0.8 - 0.38 = 0.42
    np.testing.assert_allclose(p, [0.42])


def test_nesterov_two_steps():
    p, g = np.array([1.0]), np.array([2.0])
    opt = SGD(lr=0.1, momentum=0.9, nesterov=True)
    opt.step([p], [g])  # v = 2, p = 1 - 0.1*(2 + 1.8) = 0.62
    opt.step([p], [g])  # v = 3.8, p = 0.62 - 0.1*(2 + 3.42) = 0.078
    np.testing.assert_allclose(p, [0.078])


def test_adam_two_steps_by_hand():
    p, lr, eps = np.array([1.0]), 0.01, 1e-8
    opt = Adam(lr=lr, eps=eps)
    opt.step([p], [np.array([2.0])])
    # m = 0.2, v = 0.004; m_hat = 2, v_hat = 4: p = 1 - 0.01 * 2 / (2 + eps)
    expected = 1 - lr * 2 / (2 + eps)
    np.testing.assert_allclose(p, [expected], rtol=1e-12)
    opt.step([p], [np.array([-1.0])])
    m = 0.9 * 0.2 + 0.1 * -1.0  # 0.08
    v = 0.999 * 0.004 + 0.001 * 1.0  # 0.004996
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    expected -= lr * m_hat / (math.sqrt(v_hat) + eps)
    np.testing.assert_allclose(p, [expected], rtol=1e-12)


def test_steps_update_in_place_and_keep_float32():
    p = np.ones(3, dtype=np.float32)
    same = p
    for opt in (SGD(0.1), SGD(0.1, momentum=0.9), Adam(0.1)):
        opt.step([p], [np.full(3, 0.5, dtype=np.float32)])
    assert same is p and p.dtype == np.float32 and np.all(p < 1)
    assert Adam().m == [] and Adam().t == 0


@pytest.mark.parametrize("lr", [0, -1, float("nan"), float("inf")])
def test_bad_learning_rate_names_the_value(lr):
    with pytest.raises(DigitnetError, match=f"got {lr!r}"):
        Adam(lr=lr)
    with pytest.raises(DigitnetError, match="learning rate"):
        SGD(lr=lr)


def test_bad_hyper_parameters():
    with pytest.raises(DigitnetError, match="momentum"):
        SGD(momentum=1.5)
    with pytest.raises(DigitnetError, match="beta1"):
        Adam(beta1=1.0)
    with pytest.raises(DigitnetError, match="'rmsprop'"):
        make_optimizer("rmsprop")
    assert make_optimizer("nesterov", 0.1).nesterov is True


def test_adam_flushes_decaying_moments_before_they_turn_denormal():
    p = np.ones(2, dtype=np.float32)
    opt = Adam(lr=0.001)
    opt.step([p], [np.array([1.0, 1.0], dtype=np.float32)])
    for _ in range(879):  # then the first gradient stops: its M decays as 0.9^t
        opt.step([p], [np.array([0.0, 1.0], dtype=np.float32)])
    # Unflushed, M[0] would now be 0.9^879 = 5e-41: a denormal float32.
    assert 0.9**879 < np.finfo(np.float32).tiny
    assert opt.m[0][0] == 0.0
    assert opt.m[0][1] > 1.0 and opt.v[0][1] > 1.0  # live moments are untouched
