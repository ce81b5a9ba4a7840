"""The summary table (nn/summary.py, Network.summary, `digitnet summary`): per layer the output
shape, the parameters, the multiply-adds per image and the output's memory for a batch, counted
by hand for an MLP and a CNN; batch norm's running statistics apart; the command prints the
same table, and docs/cli.md shows it as the command prints it."""

import re
import shlex
from pathlib import Path

import pytest

import digitnet as dn
from digitnet.app.cli import main
from digitnet.nn.summary import layer_summaries

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_an_mlp_counted_by_hand():
    rows = layer_summaries(dn.MLP([784, 128, 64, 10]), batch_size=32)
    assert [r.term for r in rows] == ["dense 128", "relu", "dense 64", "relu", "dense 10"]
    assert [r.parameters for r in rows] == [784 * 128 + 128, 0, 128 * 64 + 64, 0, 64 * 10 + 10]
    assert [r.multiply_adds for r in rows] == [784 * 128, 0, 128 * 64, 0, 64 * 10]
    assert [r.output_bytes for r in rows] == [32 * n * 4 for n in (128, 128, 64, 64, 10)]


def test_a_cnn_counted_by_hand_with_its_totals():
    model = dn.Sequential(
        [dn.Conv2D(1, 8, 5), dn.ReLU(), dn.MaxPool2D(2), dn.Flatten(), dn.Dense(8 * 12 * 12, 10)],
        input_shape=(1, 28, 28),
        dtype="float64",
    )
    rows = layer_summaries(model, batch_size=10)
    shapes = [(8, 24, 24), (8, 24, 24), (8, 12, 12), (1152,), (10,)]
    assert [r.output_shape for r in rows] == shapes
    assert rows[0].parameters == 8 * 25 + 8 and rows[0].multiply_adds == 8 * 24 * 24 * 25
    assert rows[0].output_bytes == 10 * 8 * 24 * 24 * 8  # float64
    table = model.summary(batch_size=10)
    total = next(line for line in table.splitlines() if line.split()[:1] == ["total"])
    parameters = 208 + 1152 * 10 + 10
    assert total.split()[1:3] == [f"{parameters:,}", f"{8 * 24 * 24 * 25 + 1152 * 10:,}"]
    assert parameters == model.flat_params.size
    assert "input: 1 x 28 x 28 per image, float64" in table


def test_batch_norm_running_statistics_are_counted_apart():
    model = dn.Sequential(
        [dn.Dense(784, 16), dn.BatchNorm(16), dn.ReLU(), dn.Dense(16, 10)], input_shape=(784,)
    )
    rows = layer_summaries(model, batch_size=1)
    assert (rows[1].parameters, rows[1].state) == (2 * 16, 2 * 16)  # gamma, beta; mean, var
    trained = 784 * 16 + 16 + 32 + 16 * 10 + 10
    assert f"parameters: {trained:,} trained, 32 running statistics" in model.summary()


def test_the_command_prints_the_models_table(tmp_path, capsys):
    path = tmp_path / "m.npz"
    model = dn.MLP([784, 32, 10], seed=1)
    model.save(path)
    assert main(["summary", str(path), "--batch-size", "7"]) == 0
    assert capsys.readouterr().out == dn.load_model(path).summary(7) + "\n"
    assert main(["summary", "--layers", "conv 4 3, relu, dense 10"]) == 0
    assert "4 x 26 x 26" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["summary", "m.npz", "--layers", "dense 10"], "give MODEL or --layers, not both"),
        (["summary", "missing.npz"], "model file not found"),
        (["summary", "--layers", "bogus 3"], "unknown term"),
    ],
)
def test_bad_input_gets_one_line(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_the_docs_show_the_table_the_command_prints(capsys):
    page = (DOCS / "cli.md").read_text()
    block = re.search(r"```\n\$ (digitnet summary [^\n]*)\n(.*?)```", page, re.S)
    assert block, "docs/cli.md shows a `digitnet summary` run"
    command, shown = block.groups()
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out == shown
