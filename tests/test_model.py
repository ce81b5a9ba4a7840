"""The MLP and Sequential: gradients of the whole network, dtypes, determinism, bit-identity with
the previous release, the predict/evaluate API."""

import inspect

import numpy as np
import pytest

import digitnet as dn
from digitnet.errors import DigitnetError
from digitnet.nn.gradcheck import TOLERANCE, check_all_activations, check_model


def test_every_gradient_of_every_activation_passes_gradcheck():
    results = check_all_activations()
    assert set(results) == {"relu", "leaky_relu", "sigmoid", "tanh"}
    for activation, errors in results.items():
        assert set(errors) == {"0.W", "0.b", "2.W", "2.b", "4.W", "4.b"}
        assert max(errors.values()) < TOLERANCE, (activation, errors)


def test_gradcheck_catches_a_wrong_backward(monkeypatch):
    """The check can fail: a ReLU backward that forgets its mask is caught."""
    monkeypatch.setattr(dn.ReLU, "backward", lambda self, grad_out: grad_out)
    rng = np.random.default_rng(0)
    model = dn.MLP([6, 5, 4], seed=0, dtype="float64")
    errors = check_model(model, rng.standard_normal((4, 6)), rng.integers(0, 4, 4))
    assert errors["0.W"] > 1e-3


def test_default_architecture_is_the_reference_network():
    model = dn.MLP()
    assert model.layer_sizes == [784, 128, 64, 10] and model.activations == ["relu", "relu"]
    shapes = [p.shape for p in model.parameters().values()]
    assert shapes == [(784, 128), (128,), (128, 64), (64,), (64, 10), (10,)]
    assert all(p.dtype == np.float32 for p in model.parameters().values())


def test_float64_is_used_consistently():
    model = dn.MLP([20, 8, 10], dtype="float64", seed=0)
    rng = np.random.default_rng(0)
    X, y = rng.random((32, 20)), rng.integers(0, 10, 32)
    model.fit(X, y, epochs=1, batch_size=8, verbose=0)
    assert all(
        p.dtype == np.float64 for p in [*model.parameters().values(), *model.gradients().values()]
    )
    assert model.predict_proba(X).dtype == np.float64


def test_same_seed_gives_bit_identical_weights_and_different_seeds_differ():
    rng = np.random.default_rng(5)
    X, y = rng.integers(0, 256, (300, 784)).astype(np.uint8), rng.integers(0, 10, 300)

    def train(seed):
        model = dn.MLP(seed=seed)
        model.fit(X, y, epochs=2, batch_size=32, verbose=0)
        return list(model.parameters().values())

    first, second, other = train(7), train(7), train(8)
    for a, b in zip(first, second):
        assert np.array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_predict_proba_sums_to_one_and_predict_is_its_argmax():
    model = dn.MLP([784, 16, 10], seed=1)
    X = np.random.default_rng(0).random((50, 784)).astype(np.float32)
    probs = model.predict_proba(X)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(model.predict(X), probs.argmax(axis=1))


def test_uint8_and_float_inputs_give_the_same_predictions():
    model = dn.MLP([784, 16, 10], seed=1)
    X8 = np.random.default_rng(0).integers(0, 256, (20, 784)).astype(np.uint8)
    np.testing.assert_allclose(
        model.predict_proba(X8), model.predict_proba(X8 / np.float32(255)), rtol=1e-5
    )


def test_overfits_a_tiny_batch_to_100_percent():
    rng = np.random.default_rng(0)
    X, y = rng.random((32, 784)).astype(np.float32), rng.integers(0, 10, 32)
    model = dn.MLP(seed=0)
    history = model.fit(X, y, epochs=60, batch_size=32, optimizer=dn.Adam(0.01), verbose=0)
    assert model.evaluate(X, y)["accuracy"] == 1.0
    assert history.history["loss"][-1] < 0.05


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"layer_sizes": [784]}, "at least two"),
        ({"layer_sizes": [784, 0, 10]}, "at least two integers >= 1"),
        ({"activation": "swish"}, "'swish'"),
        ({"activation": ["relu"]}, "2 hidden layers need 2 activations"),
        ({"dtype": "float16"}, "'float16'"),
    ],
)
def test_bad_architecture_names_the_value(kwargs, message):
    with pytest.raises(DigitnetError, match=message):
        dn.MLP(**kwargs)


def test_bad_input_shape_and_labels():
    model = dn.MLP([4, 3, 2])
    with pytest.raises(DigitnetError, match=r"shape \(n, 4\), got \(2, 5\)"):
        model.predict(np.zeros((2, 5)))
    with pytest.raises(DigitnetError, match="labels must be in 0..1"):
        model.evaluate(np.zeros((2, 4)), np.array([0, 2]))


def test_fit_shows_the_real_parameters_of_the_training_loop():
    """help(model.fit) lists the keyword arguments, not **kwargs: the loop's, with the same
    defaults, and early_stopping (a shortcut for the EarlyStopping callback)."""
    from digitnet.training.loop import fit

    def described(function, skip):
        parameters = list(inspect.signature(function).parameters.values())[skip:]
        return {p.name: (p.kind, p.default, p.annotation) for p in parameters}

    ours, loop = described(dn.Sequential.fit, 1), described(fit, 1)  # after self / model
    assert {name: ours[name] for name in loop} == loop
    assert set(ours) - set(loop) == {"early_stopping"}
    assert all(name in dn.MLP.fit.__doc__ for name in ("batch_size", "early_stopping"))


# Checksums of the weights after one epoch on the first 2,000 MNIST training images, computed
# with digitnet 0.1.0 (before Sequential, the layer protocol and the new parameter packing).
# The same seed and data must give the same weights, bit for bit. Except the augmented recipe,
# re-pinned in 0.3.0: 0.1.0-0.2.0's bilinear sampling read a border pixel (instead of 0) at
# points more than a pixel outside the image, which changes the distorted images of the 11
# digits of these 2,000 that have ink on their border (tests/data/test_augment.py).
PINNED_0_1_0 = {
    "relu_adam": "b7a9b6fcd770dd8fb7f65c4c69be23029598d6c0252c5a0668c3673d644e2b04",
    "sigmoid_dropout_nesterov": "e9e5b3a8373c36cc1f86ea2f181cb9c6c67d10d80fb39a205452d7217fb8e401",
    "tanh64_gd": "e6c542827a6b0ba30e3173d8e3e2793e040bf0d3d03c10939ac4dda806f78c3c",
    "leaky_momentum_augment": "a741ab2a76bd7741c996f1edeefb001f937fcf2295fa39a02e4430232eeed4bb",
}
PINNED_LOSS = {
    "relu_adam": 1.8263426193166523,
    "sigmoid_dropout_nesterov": 2.369661012172699,
    "tanh64_gd": 1.5372559733631517,
    "leaky_momentum_augment": 1.9789434400787578,
}


@pytest.mark.parametrize("case", PINNED_0_1_0)
def test_weights_are_bit_identical_to_the_previous_release(case):
    import hashlib

    from digitnet.data.augment import PRESETS

    (X, y), _ = dn.load_mnist()
    settings = {
        "relu_adam": ({"activation": "relu"}, dn.Adam(lr=1e-3), {}),
        "sigmoid_dropout_nesterov": (
            {"activation": "sigmoid", "dropout": 0.1, "input_dropout": 0.2},
            dn.SGD(lr=0.05, momentum=0.9, nesterov=True),
            {"lr_schedule": "cosine", "warmup_epochs": 0.5},
        ),
        "tanh64_gd": ({"activation": "tanh", "dtype": "float64"}, dn.SGD(lr=0.1), {}),
        "leaky_momentum_augment": (
            {"activation": "leaky_relu"},
            dn.SGD(lr=0.05, momentum=0.9),
            {"augment": PRESETS["affine"]},
        ),
    }
    architecture, optimizer, options = settings[case]
    model = dn.MLP([784, 128, 64, 10], seed=0, **architecture)
    history = model.fit(X[:2000], y[:2000], epochs=1, optimizer=optimizer, verbose=0, **options)
    weights = b"".join(p.tobytes() for p in model.parameters().values())  # W1, b1, W2, ...
    assert hashlib.sha256(weights).hexdigest() == PINNED_0_1_0[case]
    assert history.history["loss"] == [PINNED_LOSS[case]]
