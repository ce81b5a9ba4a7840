"""The doctor: every check passes on the default network and fails on one built to fail it (a
learning rate of 10, a dead ReLU layer, inputs in 0-255, a broken backward, huge initial
weights, a missing class); the command line's output, exit status, JSON and picture."""

from __future__ import annotations

import json

import numpy as np
import pytest

import digitnet as dn
from digitnet.app.cli import main
from digitnet.doctor import checks, diagnose, lr_range
from digitnet.learn.parts import load_parts, use_parts


@pytest.fixture(scope="module")
def mnist():
    (X, y), _ = dn.load_mnist(dtype="uint8")
    return X[:3000], y[:3000]


def adam(lr=1e-3):
    return lambda: dn.Adam(lr=lr)


def test_every_check_passes_on_the_default_network(mnist):
    model = dn.MLP(seed=0)
    before = model.flat_params.copy()
    findings, test = diagnose(model, *mnist, adam())
    assert [f.name for f in findings] == [
        "pixel scale", "label balance", "initial loss", "gradient check", "overfit 50 images",
        "learning-rate range test", "dead or saturated units",
        "dead or saturated units after the overfit 50 images steps",
    ]  # fmt: skip
    assert all(f.passed for f in findings), [(f.name, f.measured) for f in findings]
    np.testing.assert_array_equal(model.flat_params, before)  # the checks train copies
    assert 1e-4 < test.suggested < 1e-1 and len(test.lrs) == len(test.losses) > 50


def test_a_learning_rate_of_10_fails_the_overfit_and_the_range_test(mnist):
    model = dn.MLP(seed=0)
    overfit, _ = checks.overfit(model, *mnist, adam(10.0), None)
    assert overfit.passed is False and "learning rate (10" in overfit.advice
    test = lr_range.range_test(model, *mnist, adam(10.0))
    finding = lr_range.finding(test, 10.0)
    assert finding.passed is False and finding.advice.startswith("try --lr ")


def test_a_dead_relu_layer_is_found(mnist):
    model = dn.MLP(seed=0)
    model.layers[2].params["b"][:] = -100  # the second hidden layer never fires
    finding = checks.units(model, mnist[0])
    assert finding.passed is False
    assert finding.measured == "100% of activation 2 (relu) never fire"
    assert checks.units(dn.MLP(seed=0), mnist[0]).passed


def test_inputs_in_0_255_as_floats_are_found(mnist):
    X, y = mnist
    scale, balance = checks.data(X.astype(np.float32), y)
    assert scale.passed is False and scale.advice.startswith("divide the pixels by 255")
    assert checks.data(X.astype(np.float32) / 255, y)[0].passed
    assert balance.passed


def test_a_missing_class_fails_the_label_balance(mnist):
    X, y = mnist
    keep = y != 3
    balance = checks.data(X[keep], y[keep])[1]
    assert balance.passed is False and "the rarest class 3 has 0.0%" in balance.measured


def test_huge_initial_weights_fail_the_initial_loss(mnist):
    model = dn.MLP(seed=0)
    model.layers[-1].params["W"][...] *= 30
    finding = checks.initial_loss(model, *mnist, fresh=True)
    assert finding.passed is False and "too large" in finding.advice
    assert checks.initial_loss(dn.MLP(seed=0), *mnist, fresh=True).passed
    assert checks.initial_loss(model, *mnist, fresh=False).passed is None


def test_a_broken_backward_fails_the_gradient_check(mnist, tmp_path):
    (tmp_path / "03_dense.py").write_text(
        "def dense_forward(x, W, b):\n    return x @ W + b\n\n"
        "def dense_backward(x, W, grad_out):\n"
        "    return grad_out @ W.T, 2 * x.T @ grad_out, grad_out.sum(axis=0)\n"
    )
    parts = load_parts(tmp_path)

    def prepare(twin):
        use_parts(twin, parts, draw_weights=False)
        return twin

    finding = checks.gradients(dn.MLP(seed=0), *mnist, prepare)
    assert finding.passed is False and "digitnet learn check" in finding.advice
    assert finding.values["start"] > 0.1


def test_the_command_prints_each_check_and_exits_by_them(idx_folder, tmp_path, capsys):
    picture = tmp_path / "lr.png"
    assert main(["doctor", "--data", str(idx_folder), "--lr-plot", str(picture)]) == 0
    out = capsys.readouterr().out
    assert "  pass  initial loss: " in out and "  pass  overfit 50 images: all 50 right" in out
    assert out.splitlines()[-1] == "all checks passed"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["doctor", "--data", str(idx_folder), "--lr", "10", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] is False
    failed = [c["name"] for c in report["checks"] if c["passed"] is False]
    assert "overfit 50 images" in failed and "learning-rate range test" in failed


def test_the_command_checks_a_layers_spec_and_refuses_two_networks(idx_folder, tmp_path, capsys):
    spec = "conv 4 5, relu, maxpool 2, dense 10"
    assert main(["doctor", "--data", str(idx_folder), "--layers", spec, "--json"]) in (0, 1)
    report = json.loads(capsys.readouterr().out)
    assert report["network"].startswith("1 x 28 x 28 -> conv 4 5 -> relu -> maxpool 2")
    gradient = next(c for c in report["checks"] if c["name"] == "gradient check")
    assert gradient["passed"] is True
    assert main(["doctor", "m.npz", "--layers", spec]) == 2
    assert "give MODEL or --layers, not both" in capsys.readouterr().err


def test_the_doctor_uses_the_learner_s_optimizer_step(idx_folder, tmp_path, capsys):
    """An sgd_step that rebinds instead of updating never trains: the overfit check says so."""
    (tmp_path / "04_gradient_descent.py").write_text(
        "def sgd_step(params, grads, lr):\n"
        "    for i in range(len(params)):\n"
        "        params[i] = params[i] - lr * grads[i]\n"
    )
    command = ["doctor", "--data", str(idx_folder), "--optimizer", "gd", "--lr", "0.1"]
    assert main([*command, "--json"]) == 0
    capsys.readouterr()
    assert main([*command, "--parts", str(tmp_path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    overfit = next(c for c in report["checks"] if c["name"] == "overfit 50 images")
    assert overfit["passed"] is False


def test_a_network_whose_loss_overflows_at_once_fails_the_range_test(mnist):
    model = dn.MLP(seed=0)
    for array in model.parameters().values():
        array[...] = 1e30
    test = lr_range.range_test(model, *mnist, adam())
    assert len(test.losses) == 0 and lr_range.finding(test, 1e-3).passed is False
