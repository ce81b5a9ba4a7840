"""Each optimizer's step against numbers worked out by hand; hyper-parameters are validated."""

import math
import re

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


def test_sgd_weight_decay_only_where_decay_says():
    w, b = np.array([1.0]), np.array([1.0])
    SGD(lr=0.1, weight_decay=0.5).step([w, b], [np.array([2.0]), np.array([2.0])], [True, False])
    np.testing.assert_allclose(w, [1.0 - 0.1 * (2.0 + 0.5 * 1.0)])  # g + wd p = 2.5: 0.75
    np.testing.assert_allclose(b, [1.0 - 0.1 * 2.0])  # not decayed: 0.8


def _run(optimizer, params, grads):
    for step_grads in grads:
        optimizer.step(params, [g.copy() for g in step_grads])  # step may add wd p to g


@pytest.mark.parametrize(
    "settings",
    [{"momentum": 0.9}, {"momentum": 0.9, "nesterov": True}, {}],
    ids=["momentum", "nesterov", "plain"],
)
def test_sgd_state_saved_and_restored_continues_bit_identically(settings):
    rng = np.random.default_rng(0)
    params = [rng.standard_normal(shape).astype(np.float32) for shape in ((3, 2), (2,))]
    grads = [[rng.standard_normal(p.shape).astype(np.float32) for p in params] for _ in range(5)]
    original = SGD(lr=0.1, weight_decay=0.01, **settings)
    _run(original, params, grads[:3])
    # As a checkpoint file gives it back: copies, here in float64.
    saved = original.state_dict()["arrays"]
    state = {"arrays": {k: v.astype(np.float64) for k, v in saved.items()}}
    assert sorted(state["arrays"]) == (["velocity0", "velocity1"] if settings else [])
    copies = [p.copy() for p in params]
    restored = SGD(lr=0.1, weight_decay=0.01, **settings)
    restored.load_state_dict(state, copies)
    for k, v in restored.state_dict()["arrays"].items():
        assert v.dtype == np.float32  # the parameters' dtype, not the saved one
        np.testing.assert_array_equal(v, original.state_dict()["arrays"][k])
    _run(original, params, grads[3:])
    _run(restored, copies, grads[3:])
    for p, q in zip(params, copies):
        np.testing.assert_array_equal(p, q)


def test_fresh_optimizers_have_empty_state():
    assert SGD(0.1).state_dict() == {"arrays": {}}
    assert SGD(0.1, momentum=0.9).state_dict() == {"arrays": {}}
    plain = SGD(0.1)
    plain.step([np.ones(2)], [np.ones(2)])  # plain SGD keeps no velocities, even after a step
    assert plain.state_dict() == {"arrays": {}}


@pytest.mark.parametrize(
    "arrays", [{}, {"velocity0": np.zeros(3)}, {"velocity0": np.zeros((2, 1))}]
)
def test_missing_or_misshapen_optimizer_state_is_refused(arrays):
    message = "optimizer state velocity0 is missing or has the wrong shape"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        SGD(0.1, momentum=0.9).load_state_dict({"arrays": arrays}, [np.zeros(2)])
    with pytest.raises(DigitnetError, match=re.escape(message.replace("velocity", "m"))):
        Adam(0.1).load_state_dict({"t": 1, "arrays": arrays}, [np.zeros(2)])


@pytest.mark.parametrize(
    "name, kind, momentum, nesterov",
    [
        ("gd", SGD, 0.0, False),
        ("momentum", SGD, 0.5, False),
        ("nesterov", SGD, 0.5, True),
        ("adam", Adam, None, None),
    ],
)
def test_make_optimizer_passes_every_setting_through(name, kind, momentum, nesterov):
    optimizer = make_optimizer(name, lr=0.05, momentum=0.5, weight_decay=0.01)
    assert type(optimizer) is kind
    assert optimizer.lr == 0.05 and optimizer.weight_decay == 0.01
    if kind is SGD:
        assert optimizer.momentum == momentum and optimizer.nesterov is nesterov


def test_make_optimizer_defaults():
    momentum = make_optimizer("momentum")
    assert (momentum.lr, momentum.momentum, momentum.weight_decay) == (0.001, 0.9, 0.0)
    adam = make_optimizer("adam")
    assert (adam.lr, adam.weight_decay) == (0.001, 0.0)


def test_unknown_optimizer_and_nesterov_without_momentum_messages():
    message = "unknown optimizer 'rmsprop'; choose one of gd, momentum, nesterov, adam"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        make_optimizer("rmsprop")
    message = "Nesterov momentum needs momentum > 0 (e.g. momentum=0.9)"
    with pytest.raises(DigitnetError, match=f"^{re.escape(message)}$"):
        SGD(0.1, nesterov=True)


def test_adam_flushes_tiny_moments_only_every_flush_every_steps():
    p, zero = np.zeros(2), np.zeros(2)
    opt = Adam(lr=0.1)
    tiny = np.array([1e-31, 1.0])
    opt.load_state_dict({"t": 48, "arrays": {"m0": tiny, "v0": tiny}}, [p])
    opt.step([p], [zero])  # step 49: no flush, the tiny moments stay
    np.testing.assert_array_equal(opt.state_dict()["arrays"]["m0"], [0.9 * 1e-31, 0.9])
    np.testing.assert_array_equal(opt.state_dict()["arrays"]["v0"], [0.999 * 1e-31, 0.999])
    opt.step([p], [zero])  # step 50: moments below 1e-30 become 0
    assert opt.t == 50 == Adam.FLUSH_EVERY
    np.testing.assert_array_equal(opt.state_dict()["arrays"]["m0"], [0.0, 0.9 * 0.9])
    np.testing.assert_array_equal(opt.state_dict()["arrays"]["v0"], [0.0, 0.999 * 0.999])


def test_adam_flush_keeps_a_moment_of_exactly_flush_below():
    p = np.zeros(1)
    opt = Adam(lr=0.1)
    state = {"t": 49, "arrays": {"m0": np.array([1e-30 / 0.9]), "v0": np.array([1.0])}}
    opt.load_state_dict(state, [p])
    opt.step([p], [np.zeros(1)])  # step 50 flushes: M = 0.9 * m0 is exactly 1e-30
    np.testing.assert_array_equal(opt.state_dict()["arrays"]["m0"], [Adam.FLUSH_BELOW])


def test_defaults_and_the_edges_of_the_hyper_parameter_ranges():
    assert SGD().lr == 0.001 and Adam().lr == 0.001
    message = "momentum must be in [0, 1), got 1.0"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        SGD(momentum=1.0)
    for name, beta in (("beta1", 1.0), ("beta2", -0.1)):
        message = f"{name} must be in [0, 1), got {beta}"
        with pytest.raises(DigitnetError, match=re.escape(message)):
            Adam(**{name: beta})
    with pytest.raises(DigitnetError, match=re.escape("eps must be > 0, got 0.0")):
        Adam(eps=0.0)
    message = "weight decay must be a finite number >= 0, got inf"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        SGD(weight_decay=math.inf)
    assert Adam().state_dict() == {"t": 0, "arrays": {}}


def test_adam_with_betas_0_steps_by_the_sign_of_the_gradient():
    p = np.array([1.0, 1.0])
    Adam(lr=0.1, beta1=0.0, beta2=0.0, eps=1e-8).step([p], [np.array([2.0, -0.5])])
    # m = g, v = g^2: p = p - lr g / (|g| + eps)
    np.testing.assert_allclose(p, [1 - 0.1 * 2 / (2 + 1e-8), 1 + 0.1 * 0.5 / (0.5 + 1e-8)])


def test_weight_decay_steps_by_hand():
    p, g = np.array([2.0]), np.array([0.5])
    SGD(lr=0.1, weight_decay=0.01).step([p], [g.copy()])  # L2: g + wd p = 0.52
    np.testing.assert_allclose(p, [2.0 - 0.1 * 0.52])
    p = np.array([2.0])
    Adam(lr=0.1, weight_decay=0.01).step([p], [np.array([0.5])])
    # decoupled: first p (1 - lr wd) = 1.998, then Adam's first step moves it by lr
    np.testing.assert_allclose(p, [2.0 * (1 - 0.001) - 0.1 * 0.5 / (0.5 + 1e-8)], rtol=1e-9)
    with pytest.raises(DigitnetError, match="weight decay"):
        Adam(weight_decay=-1)
