"""The not-learning hint: what an epoch measured, the line it prints, silence on healthy runs."""

import math

import numpy as np
import pytest

import digitnet as dn
from digitnet.app.cli import main
from digitnet.training.diagnostics import (
    LayerActivity,
    UnitActivity,
    not_learning_hint,
    optimizer_name,
)

RELU = LayerActivity("relu", dead=0.0, saturated=None)
SIGMOID = LayerActivity("sigmoid", dead=None, saturated=0.0)


def hint(loss, accuracy, previous_loss=None, optimizer="adam", lr=0.001, layers=(RELU, RELU)):
    return not_learning_hint(
        3, 300, loss, accuracy, previous_loss, 10, optimizer, lr, list(layers)
    )


@pytest.mark.parametrize(
    "loss, accuracy, previous_loss",
    [
        (0.30, 0.91, None),  # a first epoch that learned
        (0.30, 0.91, 0.45),
        (0.0100, 0.999, 0.0100),  # converged: the loss no longer moves, but it is low
        (0.05, 0.99, 0.04),  # a noisy late epoch: the loss went up a little
        (1.20, 0.60, 1.60),  # slow, but learning
    ],
)
def test_no_hint_while_the_network_learns(loss, accuracy, previous_loss):
    assert hint(loss, accuracy, previous_loss) is None


def test_barely_moving_loss_with_plain_gradient_descent_names_the_learning_rate():
    line = hint(2.03, 0.36, 2.05, optimizer="gd", lr=0.001, layers=[SIGMOID, SIGMOID])
    assert line.startswith("hint: ") and "\n" not in line
    assert "training loss 2.05 -> 2.03 (-1.0%)" in line and "accuracy 36%" in line
    assert "epoch 3" in line and "barely learning" in line
    assert "plain gradient descent at lr 0.001" in line and "--lr 0.1 or --optimizer adam" in line


def test_first_epoch_compares_with_chance_and_near_chance_accuracy_is_enough():
    line = hint(2.36, 0.11, None, optimizer="gd", lr=0.001)
    assert f"{math.log(10):.2f} (chance) -> 2.36 (+2.5%)" in line and "accuracy 11%" in line
    assert hint(0.9, 0.15, 2.0) is not None  # the loss fell, but accuracy is near chance


def test_dead_relus_are_named_with_their_share_and_layer():
    layers = [LayerActivity("relu", 0.1, None), LayerActivity("relu", 0.62, None)]
    line = hint(2.30, 0.11, 2.30, optimizer="momentum", lr=0.5, layers=layers)
    assert "62% of the second hidden layer's units never fired this epoch (dead ReLUs)" in line
    assert "lower --lr" in line


def test_saturated_units_are_named():
    layers = [LayerActivity("tanh", None, 0.8)]
    line = hint(2.30, 0.10, 2.30, optimizer="gd", lr=5.0, layers=layers)
    assert "80% of the first hidden layer's tanh outputs were saturated" in line


def test_a_rising_loss_asks_for_a_smaller_learning_rate():
    line = hint(3.18, 0.13, None, optimizer="momentum", lr=0.5)
    assert "(+38.1%)" in line and "the loss rose" in line and "lower --lr (now 0.5)" in line


def test_no_measured_cause_gives_the_usual_suspects():
    line = hint(2.30, 0.10, 2.30)
    assert "learning rate" in line and "labels" in line


def test_no_hint_in_the_first_few_steps():
    """An epoch of one or two batches measures mostly the untrained network."""
    assert not_learning_hint(1, 2, 2.30, 0.1, None, 10, "adam", 0.001, [RELU]) is None


def test_unit_activity_finds_units_that_never_fired_and_saturated_outputs():
    activity = UnitActivity(["relu", "leaky_relu", "sigmoid", "tanh"])
    relu = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]], np.float32)  # unit 0 never fired
    leaky = np.array([[-0.01, -0.02], [-0.03, 0.5]], np.float32)  # unit 0 never fired
    sigmoid = np.array([[0.001, 0.5], [0.999, 0.7]], np.float32)  # 2 of 4 saturated
    tanh = np.array([[0.995, 0.0], [-0.2, 0.3]], np.float32)  # 1 of 4 saturated
    activity.record([relu, leaky, sigmoid, tanh])
    activity.record([relu * 0, leaky, sigmoid * 0 + 0.5, tanh])  # 2 of 4, then 1 of 4 more
    assert activity.summary() == [
        LayerActivity("relu", 1 / 3, None),
        LayerActivity("leaky_relu", 0.5, None),
        LayerActivity("sigmoid", None, 0.25),
        LayerActivity("tanh", None, 0.25),
    ]


def test_optimizer_names():
    assert optimizer_name(dn.SGD(0.1)) == "gd" and optimizer_name(dn.Adam()) == "adam"
    assert optimizer_name(dn.SGD(0.1, momentum=0.9)) == "momentum"
    assert optimizer_name(dn.SGD(0.1, momentum=0.9, nesterov=True)) == "nesterov"


def test_real_runs_hint_only_when_the_network_does_not_learn(tmp_path, capsys):
    """3,000 MNIST images, 3 epochs: the default recipe prints no hint; sigmoid units with
    plain gradient descent at lr 0.001 (13% after 3 epochs on all of MNIST) print one."""
    common = ["train", "--limit", "3000", "--epochs", "3", "--out", str(tmp_path / "m.npz")]
    assert main(common) == 0
    assert hint_lines(capsys.readouterr().out) == []
    slow = ["--activation", "sigmoid", "--optimizer", "gd", "--lr", "0.001"]
    assert main([*common, *slow]) == 0
    hints = hint_lines(capsys.readouterr().out)
    assert len(hints) == 3 and "plain gradient descent at lr 0.001" in hints[-1], hints


def hint_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("hint:")]


def test_measuring_does_not_change_training():
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, (200, 784)).astype(np.uint8), rng.integers(0, 10, 200)
    quiet, measured = dn.MLP([784, 16, 10], seed=0), dn.MLP([784, 16, 10], seed=0)
    quiet.fit(X, y, epochs=2, batch_size=32, verbose=0)
    measured.fit(X, y, epochs=2, batch_size=32, verbose=2)
    assert np.array_equal(quiet.flat_params, measured.flat_params)


def test_an_activation_the_hint_does_not_know_is_not_measured():
    """A user's own activation trains with verbose output: its layer is simply not measured."""
    activity = UnitActivity(["relu", "swish"])
    h = np.array([[0.0, 1.0], [0.0, 2.0]])
    activity.record([h, h])
    assert activity.summary() == [
        LayerActivity("relu", 0.5, None),
        LayerActivity("swish", None, None),
    ]
