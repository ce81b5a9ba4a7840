"""Training with a learner's parts: digitnet's answers loaded from a folder train as digitnet's
own layers do (float64, to rounding), another set of parts trains, and a learner's error while
training is their traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import make_blobs

import digitnet as dn
from digitnet.app.cli import main
from digitnet.errors import DigitnetError
from digitnet.learn.learner_layers import LearnerConv2D, LearnerDense, LearnerLoss
from digitnet.learn.parts import LearnerOptimizer, learner_optimizer, load_parts, use_parts

HERE = Path(__file__).parent
REFERENCE_PARTS, OTHER_PARTS = HERE / "reference_parts", HERE / "other_parts"


def blobs(n=256):
    images, labels = make_blobs(n, seed=4)
    return images.astype(np.float64) / 255, labels


def mlp(seed=0):
    return dn.MLP([784, 24, 12, 10], seed=seed, dtype="float64")


def train(model, optimizer, epochs=2):
    X, y = blobs()
    history = model.fit(X, y, epochs=epochs, batch_size=32, optimizer=optimizer, verbose=0)
    return np.concatenate([p.ravel() for p in model.parameters().values()]), history


@pytest.mark.parametrize(
    "make_optimizer",
    [lambda: dn.Adam(lr=3e-3), lambda: dn.SGD(lr=0.05), lambda: dn.SGD(lr=0.05, momentum=0.9)],
    ids=["adam", "sgd", "momentum"],
)
def test_digitnet_s_answers_from_a_folder_train_as_digitnet_s_own_layers(make_optimizer):
    ours, our_history = train(mlp(), make_optimizer())
    model, parts = mlp(), load_parts(REFERENCE_PARTS)
    replaced = use_parts(model, parts)
    optimizer = learner_optimizer(make_optimizer(), parts)
    assert isinstance(optimizer, LearnerOptimizer)
    assert [type(layer) for layer in model.layers if layer.params] == [LearnerDense] * 3
    assert isinstance(model.loss, LearnerLoss) and model.threads == 1
    assert "3 Dense layer(s)" in replaced and "2 ReLU layer(s)" in replaced
    theirs, their_history = train(model, optimizer)
    np.testing.assert_allclose(theirs, ours, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(their_history.history["loss"], our_history.history["loss"])


def test_a_cnn_trains_with_parts_written_differently():
    layers = "conv 4 3 pad 1, relu, maxpool 2, conv 6 3 stride 2, relu, dense 10"
    from digitnet.nn.spec import build_layers

    def cnn():
        shape = (1, 28, 28)
        return dn.Sequential(build_layers(layers, shape), input_shape=shape, dtype="float64")

    ours, _ = train(cnn(), dn.Adam(lr=3e-3), epochs=1)
    model = cnn()
    use_parts(model, load_parts(OTHER_PARTS), draw_weights=False)
    assert [type(layer) for layer in model.layers if layer.params][:2] == [LearnerConv2D] * 2
    theirs, _ = train(model, learner_optimizer(dn.Adam(lr=3e-3), load_parts(OTHER_PARTS)), 1)
    np.testing.assert_allclose(theirs, ours, rtol=1e-6, atol=1e-9)


def test_the_learner_s_he_normal_draws_the_weights_before_a_relu(tmp_path):
    shutil.copy(OTHER_PARTS / "07_he_init.py", tmp_path)
    model = dn.MLP([784, 300, 10], seed=0)
    use_parts(model, load_parts(tmp_path))
    W = model.layers[0].params["W"]
    expected = np.random.default_rng(0).normal(0.0, np.sqrt(2 / 784), size=(784, 300))
    np.testing.assert_allclose(W, expected.astype(np.float32))
    untouched = dn.MLP([784, 300, 10], seed=0).layers[-1].params["W"]
    np.testing.assert_array_equal(model.layers[-1].params["W"], untouched)  # before softmax


def test_a_learner_s_error_while_training_shows_their_traceback(tmp_path):
    (tmp_path / "01_relu.py").write_text(
        "def relu(x):\n    return x.clip(0)\n\n"
        "def relu_backward(x, grad_out):\n    return grad_out[x > 0]  # a bug: it flattens\n"
    )
    model = mlp()
    use_parts(model, load_parts(tmp_path))
    with pytest.raises(DigitnetError, match=r"your relu_backward returned shape \("):
        train(model, dn.Adam())
    (tmp_path / "01_relu.py").write_text(
        "def relu(x):\n    return x.clip(0)\n\n"
        "def relu_backward(x, grad_out):\n    return grad_out * (x > 0) / undefined\n"
    )
    model = mlp()
    use_parts(model, load_parts(tmp_path))
    with pytest.raises(DigitnetError) as error:
        train(model, dn.Adam())
    text = str(error.value)
    assert "your code raised while training" in text and "01_relu.py" in text
    assert "NameError" in text and "digitnet/" not in text


def test_a_folder_with_nothing_written_is_a_one_line_error(tmp_path):
    with pytest.raises(DigitnetError, match="no exercise is written there yet"):
        load_parts(tmp_path)
    with pytest.raises(DigitnetError, match="no such folder"):
        load_parts(tmp_path / "nowhere")


def test_train_parts_says_which_parts_are_the_learner_s(idx_folder, tmp_path, capsys):
    parts = tmp_path / "parts"
    parts.mkdir()
    for name in ("01_relu.py", "03_dense.py", "06_adam.py"):
        shutil.copy(OTHER_PARTS / name, parts)
    (parts / "02_softmax_cross_entropy.py").write_text(
        "import numpy as np\n\ndef softmax_cross_entropy(logits, labels):\n"
        "    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)\n"
        "    n = len(labels)\n"
        "    loss = -np.log(probs[np.arange(n), labels]).mean()\n"
        "    grad = probs.copy()\n    grad[np.arange(n), labels] -= 1\n"
        "    return loss, grad / n\n"
    )  # no maximum subtracted: it fails its check, and still trains here
    command = f"train --data {idx_folder} --epochs 2 --hidden 16 --parts {parts} --out "
    assert main([*command.split(), str(tmp_path / "m.npz")]) == 0
    out = capsys.readouterr().out
    assert "2 Dense layer(s); 1 ReLU layer(s); the loss (softmax_cross_entropy); " in out
    assert "the optimizer step (adam_step)" in out
    assert "their checks: relu passing, softmax_cross_entropy failing, dense passing, " in out
    assert "adam passing" in out and "test accuracy:" in out
    assert dn.load_model(tmp_path / "m.npz").layers[0].config()["type"] == "dense"
    assert main([*command.split(), str(tmp_path / "m.npz"), "--checkpoint-dir", "c"]) == 2
