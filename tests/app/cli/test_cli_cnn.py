"""Every command with a convolutional network: train --layers, resume, --init, evaluate, predict,
gradcheck, divergence. Tiny synthetic data (conftest.py) so that each test takes a second."""

import json

import numpy as np
import pytest

import digitnet as dn
from digitnet.app.cli import main, train_callbacks

SMALL_CNN = "conv 4 3 pad 1, batchnorm, relu, maxpool 2, conv 6 3 stride 2, relu, dense 16, relu"


def train(idx_folder, tmp_path, *extra, name="cnn.npz"):
    out = tmp_path / name
    argv = ["train", "--data", str(idx_folder), "--layers", SMALL_CNN, "--epochs", "3"]
    argv += ["--batch-size", "32", "--quiet", "--out", str(out), *extra]
    return main(argv), out


def test_train_a_cnn_from_the_command_line(idx_folder, tmp_path, capsys):
    code, out = train(idx_folder, tmp_path, "--lr", "0.01")
    assert code == 0
    model = dn.load_model(out)
    assert model.input_shape == (1, 28, 28)
    types = [layer.config()["type"] for layer in model.layers]
    assert types == [
        "conv2d", "batchnorm", "relu", "maxpool2d", "conv2d", "relu", "flatten", "dense",
        "relu", "dense",
    ]  # fmt: skip
    assert model.layers[7].in_features == 6 * 6 * 6  # 14x14 -> conv 3 stride 2 -> 6x6
    accuracy = float(capsys.readouterr().out.split("accuracy: ")[1].split("%")[0])
    assert accuracy > 50  # it learns: chance is 10%
    assert abs(model.layers[1].state["running_var"] - 1).max() > 0.01  # statistics were kept


def test_plan_line_shows_the_layers(idx_folder, tmp_path, capsys):
    argv = ["train", "--data", str(idx_folder), "--layers", "conv 2 3, relu, maxpool 2"]
    assert main([*argv, "--epochs", "1", "--out", str(tmp_path / "m.npz")]) == 0
    plan = capsys.readouterr().out.splitlines()[1]
    assert plan.startswith(
        "model: 1 x 28 x 28 -> conv 2 3 -> relu -> maxpool 2 -> flatten -> dense 10 (float32)"
    )


def test_resume_of_a_cnn_with_batchnorm_dropout_and_augmentation_is_bit_identical(
    idx_folder, tmp_path, monkeypatch
):
    extra = ["--augment", "affine", "--seed", "4", "--threads", "2"]  # not the load's default
    layers_with_dropout = ["--layers", SMALL_CNN + ", dropout 0.3"]
    code, straight = train(idx_folder, tmp_path, *extra, *layers_with_dropout, name="a.npz")
    assert code == 0

    class StopAfterFirst(train_callbacks.StopAfterEpoch):
        def on_epoch_end(self, epoch, logs):
            self.requested = True  # as if Ctrl-C came during epoch 1
            super().on_epoch_end(epoch, logs)

    monkeypatch.setattr("digitnet.app.cli.train.StopAfterEpoch", StopAfterFirst)
    checkpoints = tmp_path / "ck"
    code, _ = train(
        idx_folder, tmp_path, *extra, *layers_with_dropout, "--checkpoint-dir", str(checkpoints),
        name="b.npz",
    )  # fmt: skip
    assert code == 130
    monkeypatch.undo()
    resumed = tmp_path / "c.npz"
    assert main(["train", "--resume", str(checkpoints), "--quiet", "--out", str(resumed)]) == 0
    a, c = dn.load_model(straight), dn.load_model(resumed)
    assert [layer.config() for layer in a.layers] == [layer.config() for layer in c.layers]
    for x, y in zip(a.parameters().values(), c.parameters().values()):
        np.testing.assert_array_equal(x, y)
    for layer_a, layer_c in zip(a.layers, c.layers):
        for name in layer_a.state:  # the running statistics too
            np.testing.assert_array_equal(layer_a.state[name], layer_c.state[name])


def test_init_continues_from_a_cnn(idx_folder, tmp_path, capsys):
    code, first = train(idx_folder, tmp_path, name="first.npz")
    assert code == 0
    argv = ["--init", str(first), "--epochs", "1"]
    code, second = train(idx_folder, tmp_path, *argv, name="second.npz")
    assert code == 0
    assert not np.array_equal(
        dn.load_model(first).parameters()["0.W"], dn.load_model(second).parameters()["0.W"]
    )
    other = ["train", "--data", str(idx_folder), "--init", str(first)]
    assert main([*other, "--layers", "conv 4 3, relu", "--out", str(tmp_path / "x.npz")]) != 0
    assert "disagrees with" in capsys.readouterr().err
    assert main([*other, "--hidden", "32", "--out", str(tmp_path / "x.npz")]) != 0
    assert "--hidden describes an MLP, but" in capsys.readouterr().err


def test_evaluate_and_predict_a_cnn(idx_folder, tmp_path, capsys, csv_file):
    code, model_path = train(idx_folder, tmp_path)
    assert code == 0
    capsys.readouterr()
    assert main(["evaluate", str(model_path), "--data", str(idx_folder), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    model = dn.load_model(model_path)
    from digitnet.data.datasets import load_test_set

    X, y = load_test_set(str(idx_folder))
    assert result["accuracy"] == pytest.approx(model.score(X, y))
    assert main(["predict", str(model_path), str(csv_file), "--json"]) == 0
    answers = json.loads(capsys.readouterr().out)
    assert len(answers) == 150 and all(0 <= a["digit"] <= 9 for a in answers)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--layers", "conv 4"], "--layers: bad term 'conv 4'"),
        (["--layers", "conv 4 3", "--hidden", "8"], "--hidden describes an MLP"),
        (["--layers", "conv 4 3, dropout 0.1", "--dropout", "0.2"], "places dropout itself"),
        (["--layers", "conv 4 3, relu", "--lr", "1e6"], "diverged"),
    ],
)
def test_cnn_errors_are_one_line(idx_folder, tmp_path, capsys, argv, message):
    base = ["train", "--data", str(idx_folder), "--epochs", "1", "--quiet"]
    assert main([*base, *argv, "--out", str(tmp_path / "m.npz")]) != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_gradcheck_includes_a_cnn(capsys):
    assert main(["gradcheck"]) == 0
    out = capsys.readouterr().out
    assert "cnn" in out and "OK" in out


def test_init_without_layers_keeps_the_specs_dropout(idx_folder, tmp_path):
    """--init of a network whose spec placed dropout: leaving --layers out keeps it (only an
    MLP gets its dropout from --dropout)."""
    spec = "conv 4 3 pad 1, relu, maxpool 2, dropout 0.3, dense 16, relu"
    code, first = train(idx_folder, tmp_path, "--epochs", "1", "--layers", spec, name="a.npz")
    assert code == 0
    argv = ["train", "--data", str(idx_folder), "--init", str(first), "--epochs", "1"]
    assert main([*argv, "--quiet", "--out", str(tmp_path / "b.npz")]) == 0
    types = [layer.config()["type"] for layer in dn.load_model(tmp_path / "b.npz").layers]
    assert "dropout" in types
    # a preset's layers are checked against the --init model like --layers
    assert main([*argv, "--preset", "cnn", "--out", str(tmp_path / "c.npz")]) != 0
