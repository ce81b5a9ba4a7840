"""The fast paths against the plain reference (digitnet.nn.reference), which is the oracle.

Layers and loss are compared in float64, where the two must agree to rounding (rtol 1e-12).
Optimizers and a training epoch run in float32, as digitnet trains: each tolerance below comes
with the largest difference measured when it was chosen.
"""

import numpy as np
import pytest

import digitnet as dn
from digitnet.nn import reference as ref
from digitnet.nn.activations import ReLU
from digitnet.nn.dense import Dense
from digitnet.nn.gradcheck import numerical_gradient, relative_error
from digitnet.nn.layers import ACTIVATIONS
from digitnet.nn.losses import SoftmaxCrossEntropy

FLOAT64 = {"rtol": 1e-12, "atol": 1e-12}  # measured: at most 4.4e-16 (dense db), else 2e-16


def test_reference_network_backward_matches_finite_differences():
    """The oracle itself: forward, loss and backward of the reference network, in float64."""
    params = [p.astype(np.float64) for p in ref.init(0, sizes=(6, 5, 4, 3))[0]]
    rng = np.random.default_rng(1)
    for b in params[1::2]:
        b[:] = rng.standard_normal(b.shape)  # nonzero biases, so their gradients are checked
    x, labels = rng.standard_normal((7, 6)), rng.integers(0, 3, 7)
    logits, cache = ref.forward(params, x)
    grads = ref.backward(params, x, cache, ref.softmax_cross_entropy(logits, labels)[1])
    loss = lambda: ref.softmax_cross_entropy(ref.forward(params, x)[0], labels)[0]  # noqa: E731
    for p, g in zip(params, grads):
        assert relative_error(g, numerical_gradient(loss, p)) < 1e-6


def test_dense_matches_reference():
    rng = np.random.default_rng(0)
    layer = Dense(13, 7)
    layer.build(rng, "float64")
    x, upstream = rng.standard_normal((9, 13)), rng.standard_normal((9, 7))
    z = layer.forward(x, training=True).copy()  # copies: the layer reuses its buffers
    dx = layer.backward(upstream).copy()
    W, b = layer.params["W"], layer.params["b"]
    ref_dx, ref_dW, ref_db = ref.dense_backward(x, W, upstream)
    np.testing.assert_allclose(z, ref.dense(x, W, b), **FLOAT64)
    np.testing.assert_allclose(dx, ref_dx, **FLOAT64)
    np.testing.assert_allclose(layer.grads["W"], ref_dW, **FLOAT64)
    np.testing.assert_allclose(layer.grads["b"], ref_db, **FLOAT64)


def plain_reference(name):
    """The plain version of the activation registered as `name`: reference.<name> and
    reference.<name>_backward (a new activation without them fails here)."""
    return getattr(ref, name), getattr(ref, f"{name}_backward")


@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_matches_reference(name, inplace):
    layer_class, (forward, backward) = ACTIVATIONS[name], plain_reference(name)
    rng = np.random.default_rng(0)
    x, upstream = rng.standard_normal((9, 13)) * 3, rng.standard_normal((9, 13))
    layer = layer_class()
    layer.inplace = inplace  # only ReLU acts on it: it then overwrites x and the upstream
    x_in, upstream_in = x.copy(), upstream.copy()
    y = layer.forward(x_in, training=True).copy()
    dx = layer.backward(upstream_in)
    np.testing.assert_allclose(y, forward(x), **FLOAT64)
    np.testing.assert_allclose(dx, backward(x, upstream), **FLOAT64)
    if layer_class is ReLU:
        assert np.shares_memory(dx, upstream_in) == inplace


@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_softmax_cross_entropy_matches_reference(scale):
    """Also at logits of size 1e4, where exp overflows unless shifted and p[label] rounds to 0."""
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((16, 10)) * scale, rng.integers(0, 10, 16)
    loss = SoftmaxCrossEntropy()
    value = loss.forward(logits, labels)
    ref_value, ref_grad = ref.softmax_cross_entropy(logits, labels)
    assert np.isfinite(value) and value == pytest.approx(ref_value, rel=1e-12)
    np.testing.assert_allclose(loss.backward(), ref_grad, **FLOAT64)


# --- optimizers, float32, over many steps ------------------------------------------------------
SHAPE = (40, 25)


def gradients(steps, seed=1):
    """float32 gradients whose rows go quiet, as a blank pixel's weights do: rows 0-9 always
    random, rows 10-19 only in the first 100 steps, 20-29 not in steps 100-899, 30-39 never."""
    rng = np.random.default_rng(seed)
    for t in range(steps):
        g = rng.standard_normal(SHAPE).astype(np.float32)
        if t >= 100:
            g[10:20] = 0
        if 100 <= t < 900:
            g[20:30] = 0
        g[30:] = 0
        yield [g, 0.5 * g[0]]  # a weight matrix and a bias


def start(seed=0):
    """The same float32 parameters twice: one copy for digitnet, one for the reference."""
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(SHAPE), rng.standard_normal(SHAPE[1])]
    params = [p.astype(np.float32) for p in params]
    return [p.copy() for p in params], [p.copy() for p in params]


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"momentum": 0.9},
        {"momentum": 0.9, "nesterov": True},
        {"weight_decay": 1e-2},
        {"momentum": 0.9, "weight_decay": 1e-2},
        {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-2},
    ],
)
def test_sgd_matches_reference_over_200_steps(settings):
    ours, theirs = start()
    optimizer, velocities = dn.SGD(lr=0.01, **settings), [np.zeros_like(p) for p in theirs]
    for grads in gradients(200):
        optimizer.step(ours, [g.copy() for g in grads])  # copies: weight decay adds to g
        ref.sgd_step(theirs, grads, velocities, lr=0.01, **settings)
    # Measured: bit-identical (the same operations in the same order). The tolerance, a few
    # float32 roundings, leaves room for reordering them, not for a different update.
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-7)


def run_adam(steps, weight_decay):
    ours, theirs = start()
    optimizer, state = dn.Adam(lr=1e-3, weight_decay=weight_decay), ref.adam_state(theirs)
    for grads in gradients(steps):
        optimizer.step(ours, grads)
        ref.adam_step(theirs, grads, state, lr=1e-3, weight_decay=weight_decay)
    return ours, theirs, optimizer, state


@pytest.mark.parametrize("weight_decay", [0.0, 1e-2])
def test_adam_matches_reference_over_1000_steps(weight_decay):
    ours, theirs, _, _ = run_adam(1000, weight_decay)
    # digitnet keeps rescaled moments and folds the constants into one step size, so each step
    # rounds differently; over 1000 steps the weights (|p| up to 4) differed by at most 3.6e-7
    # (1.5 float32 ulps at that size) with or without decay, flushing included. One step done
    # wrong moves a weight by up to lr = 1e-3; in all, the weights moved by up to 0.08.
    for p, q, p0 in zip(ours, theirs, start()[0]):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-6)
        assert np.abs(q - p0).max() > 1e-2


def test_adam_flushes_moments_the_reference_leaves_denormal():
    _, _, optimizer, state = run_adam(1000, 0.0)
    M, m = optimizer.m[0], state["m"][0]
    # Rows 10-19 have had gradient 0 for 900 steps: the reference's m decayed by 0.9 a step into
    # float32's denormal range (< 1.2e-38) and stalls there, above 0; digitnet flushed it to 0.
    assert np.all(M[10:20] == 0)
    assert np.all(m[10:20] != 0) and np.all(np.abs(m[10:20]) < np.finfo(np.float32).tiny)
    # Elsewhere both hold the same moments: digitnet's M = m / (1 - beta1), V = v / (1 - beta2).
    # Measured: m (up to 0.7) within 1.2e-7, v within 2.9e-6 relative.
    for rows in (slice(0, 10), slice(20, 30)):
        np.testing.assert_allclose(M[rows] * 0.1, m[rows], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(optimizer.v[0][:30] * 0.001, state["v"][0][:30], rtol=1e-5)
    assert np.all(M[30:] == 0) and np.all(m[30:] == 0)


# --- the whole network ---------------------------------------------------------------------------
def test_mlp_init_equals_reference_init():
    ours = dn.MLP(seed=3).parameters()
    theirs = ref.init(3)[0]
    assert list(ours) == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    for p, q in zip(ours.values(), theirs):
        assert p.dtype == q.dtype == np.float32
        np.testing.assert_array_equal(p, q)


def test_training_epoch_matches_reference():
    """The same init, the same permutation from the same rng, the same batches: the same net."""
    (X, y), _ = dn.load_mnist()  # float32 pixels / 255
    X, y = X[:2000], y[:2000]
    model = dn.MLP(seed=0)
    history = model.fit(
        X,
        y,
        epochs=1,
        batch_size=128,
        optimizer=dn.Adam(lr=1e-3),
        lr_schedule="constant",
        verbose=0,
    )
    params, adam, rng = ref.init(0)
    loss = ref.train_epoch(params, adam, rng, X, y)
    # Measured after these 16 steps: weights differ by at most 1.3e-7 (first layer; 3e-8
    # elsewhere) while each moved by about 0.016; the epoch's losses by 3e-8 relative.
    assert history.history["loss"][0] == pytest.approx(loss, rel=1e-6)
    for p, q, p0 in zip(model.parameters().values(), params, ref.init(0)[0]):
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)
        assert np.abs(q - p0).max() > 1e-2
