"""The MLP and Sequential: gradients of the whole network, dtypes, determinism, the weights of
the previous release to float rounding, the predict/evaluate API."""

import inspect
from pathlib import Path

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
        # threads given: the default follows the machine's load, and another count sums each
        # batch's gradient in another order
        model.fit(X, y, epochs=2, batch_size=32, verbose=0, threads=2)
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
    history = model.fit(
        X, y, epochs=60, batch_size=32, optimizer=dn.Adam(0.01), lr_schedule="constant", verbose=0
    )
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


def test_fit_is_the_training_loop_with_the_settings_defaults():
    """model.fit is training.loop.fit itself (help() shows its real parameters), and its
    defaults are `digitnet train`'s, from the one source of settings."""
    from digitnet.training.loop import fit
    from digitnet.training.settings import DEFAULTS

    assert dn.Sequential.fit is fit and dn.MLP.fit is fit
    parameters = inspect.signature(fit).parameters
    for name, setting in [
        ("epochs", "epochs"),
        ("batch_size", "batch_size"),
        ("lr_schedule", "schedule"),
        ("warmup_epochs", "warmup_epochs"),
    ]:
        assert parameters[name].default == DEFAULTS[setting], name
    assert all(name in dn.MLP.fit.__doc__ for name in ("batch_size", "early_stopping"))


# The weights after one epoch on the first 2,000 MNIST training images, as digitnet 0.1.0 computed
# them (a sample of 256 entries a tensor, and each tensor's norm; the release history is in
# CHANGELOG.md). The same seed and data must give the same weights up to float rounding: other
# BLAS kernels and processors round sums differently, by up to about 3e-7 in these float32
# weights and 6e-17 in the float64 ones, so the tolerance is a few dozen times that. A change of
# the math (a learning rate, a step, a shuffled batch) moves weights by 1e-4 or more.
RELEASE_0_1_0 = Path(__file__).parent / "nn" / "data" / "release_0_1_0_weights.npz"
RELEASE_TOLERANCE = {"float32": 1e-5, "float64": 1e-12}
CASES = ("relu_adam", "sigmoid_dropout_nesterov", "tanh64_gd", "leaky_momentum_augment")


def one_epoch_of(case: str) -> tuple[dn.Sequential, float]:
    """The network and training loss of `case` after one epoch on 2,000 MNIST images."""
    from digitnet.data.augment import AUGMENTATIONS

    (X, y), _ = dn.load_mnist()
    constant = {"lr_schedule": "constant"}
    settings = {
        "relu_adam": ({"activation": "relu"}, dn.Adam(lr=1e-3), constant),
        "sigmoid_dropout_nesterov": (
            {"activation": "sigmoid", "dropout": 0.1, "input_dropout": 0.2},
            dn.SGD(lr=0.05, momentum=0.9, nesterov=True),
            {"lr_schedule": "cosine", "warmup_epochs": 0.5},
        ),
        "tanh64_gd": ({"activation": "tanh", "dtype": "float64"}, dn.SGD(lr=0.1), constant),
        "leaky_momentum_augment": (
            {"activation": "leaky_relu"},
            dn.SGD(lr=0.05, momentum=0.9),
            {**constant, "augment": AUGMENTATIONS["affine"]},
        ),
    }
    architecture, optimizer, options = settings[case]
    model = dn.MLP([784, 128, 64, 10], seed=0, **architecture)
    history = model.fit(
        X[:2000], y[:2000], epochs=1, optimizer=optimizer, verbose=0, threads=2, **options
    )  # threads given: not the load-dependent default (the same count gives the same bits)
    return model, history.history["loss"][0]


def differences_from_release(case: str, model: dn.Sequential, loss: float) -> list[str]:
    """What differs from 0.1.0's weights and loss beyond float rounding, one line each."""
    saved = np.load(RELEASE_0_1_0)
    tolerance = RELEASE_TOLERANCE[model.dtype]
    found = []
    for name, W in model.parameters().items():
        flat = W.ravel().astype(np.float64)
        values = flat[saved[f"{case}/{name}/index"]]
        worst = np.abs(values - saved[f"{case}/{name}/values"]).max()
        if worst > tolerance:
            found.append(f"{name}: entries differ by up to {worst:.1e}")
        norm = np.sqrt((flat**2).sum())
        if abs(norm - saved[f"{case}/{name}/norm"]) > tolerance * np.sqrt(flat.size):
            found.append(f"{name}: norm {norm:.9g}, was {float(saved[f'{case}/{name}/norm']):.9g}")
    if abs(loss - float(saved[f"{case}/loss"])) > 1e-6 * abs(loss):
        found.append(f"loss {loss!r}, was {float(saved[f'{case}/loss'])!r}")
    return found


@pytest.mark.parametrize("case", CASES)
def test_weights_are_those_of_the_previous_release_to_float_rounding(case):
    model, loss = one_epoch_of(case)
    found = differences_from_release(case, model, loss)
    assert not found, "\n".join(found)


def test_a_changed_step_is_caught_by_the_release_comparison():
    """Control: the same run with a learning rate 1% higher is far outside the tolerance."""
    model, loss = one_epoch_of("tanh64_gd")
    assert not differences_from_release("tanh64_gd", model, loss)
    (X, y), _ = dn.load_mnist()
    other = dn.MLP([784, 128, 64, 10], seed=0, activation="tanh", dtype="float64")
    history = other.fit(
        X[:2000], y[:2000], epochs=1, optimizer=dn.SGD(lr=0.101), verbose=0, lr_schedule="constant"
    )
    found = differences_from_release("tanh64_gd", other, history.history["loss"][0])
    assert any("entries differ" in line for line in found)
    assert any("loss" in line for line in found)


def test_the_same_seed_twice_gives_bit_identical_weights():
    """Reproducibility on one machine: two runs of the same recipe agree bit for bit."""
    first, loss_1 = one_epoch_of("leaky_momentum_augment")
    second, loss_2 = one_epoch_of("leaky_momentum_augment")
    assert loss_1 == loss_2
    for (name, a), b in zip(first.parameters().items(), second.parameters().values()):
        assert a.tobytes() == b.tobytes(), name
