"""The command line, run through main(argv) on tiny IDX and CSV files written by the tests."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

import digitnet as dn
from digitnet.app.cli import build_parser, main


def run(command: str) -> int:
    """Run `digitnet COMMAND` in-process (paths in tests contain no spaces)."""
    return main(command.split())


def sizes(model):
    """[inputs, each dense layer's outputs...] of a loaded MLP."""
    dense = [layer.config() for layer in model.layers if layer.config()["type"] == "dense"]
    return [model.n_inputs, *(config["out_features"] for config in dense)]


def test_train_evaluate_round_trip_on_idx_folder(idx_folder, tmp_path, capsys):
    model, history = tmp_path / "m.npz", tmp_path / "h.csv"
    code = run(
        f"train --data {idx_folder} --epochs 3 --hidden 32,16 --batch-size 16 --lr 0.01 "
        f"--out {model} --history {history}"
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "epoch 3/3" in out and "test accuracy:" in out
    assert sizes(dn.load_model(model)) == [784, 32, 16, 10]
    assert len(history.read_text().splitlines()) == 1 + 3

    assert run(f"evaluate {model} --data {idx_folder} --json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 100 and 0.9 <= result["accuracy"] <= 1.0 and result["loss"] > 0
    assert len(result["per_class_accuracy"]) == 10
    assert run(f"evaluate {model} --data {idx_folder}") == 0
    assert "per-class accuracy" in capsys.readouterr().out


def test_train_on_csv_reports_validation(csv_file, tmp_path, capsys):
    code = run(
        f"train --data {csv_file} --epochs 6 --quiet --optimizer momentum --lr 0.05 "
        f"--out {tmp_path / 'm.npz'}"
    )
    assert code == 0
    out = capsys.readouterr().out
    # 150 rows, 10% held out (seeded): 15 validation images of an easy problem
    match = re.search(r"validation accuracy: ([\d.]+)% \(loss [\d.]+, n=15\)", out)
    assert match and float(match.group(1)) >= 90, out
    X, y = dn.load_csv(csv_file)
    assert dn.load_model(tmp_path / "m.npz").score(X, y) >= 0.9


def test_init_continues_from_a_saved_model(idx_folder, tmp_path, capsys):
    first, second = tmp_path / "first.npz", tmp_path / "second.npz"
    common = f"train --data {idx_folder} --epochs 1 --quiet"
    assert run(f"{common} --hidden 8 --out {first}") == 0
    # with a learning rate this small, a run that starts from the saved weights ends on them
    assert run(f"{common} --init {first} --out {second} --optimizer gd --lr 1e-9") == 0
    assert sizes(dn.load_model(second)) == [784, 8, 10]
    before, after = dn.load_model(first).flat_params, dn.load_model(second).flat_params
    np.testing.assert_allclose(after, before, atol=1e-6)
    assert not np.allclose(dn.MLP([784, 8, 10]).flat_params, before, atol=1e-3)
    assert run(f"{common} --init {first} --hidden 9") == 2
    assert "disagrees" in capsys.readouterr().err


def test_gradcheck_command_passes(capsys):
    assert run("gradcheck") == 0
    out = capsys.readouterr().out
    assert "OK: largest error" in out and "sigmoid" in out
    from digitnet.nn.layers import LAYER_TYPES

    assert all(f"layer {name} " in out for name in LAYER_TYPES)  # every registered layer


@pytest.mark.parametrize(
    "command, message",
    [
        ("train --lr -1", "finite number > 0"),
        ("train --lr nan", "finite number > 0"),
        ("train --epochs 0", "integer >= 1"),
        ("train --batch-size x", "integer >= 1"),
        ("train --hidden 128,0", "sizes must be >= 1"),
        ("train --optimizer rmsprop", "invalid choice"),
        ("train --activation swish", "invalid choice"),
    ],
)
def test_bad_flags_give_one_line_and_exit_2(command, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(command)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_bad_data_gives_one_line_and_exit_2(tmp_path, capsys):
    assert run(f"train --data {tmp_path / 'missing'}") == 2
    err = capsys.readouterr().err
    assert err.startswith("digitnet: error:") and "missing" in err and err.count("\n") == 1
    assert run(f"evaluate {tmp_path / 'none.npz'}") == 2
    assert "model file not found" in capsys.readouterr().err


def test_limit_larger_than_data(idx_folder, capsys):
    assert run(f"train --data {idx_folder} --limit 5000") == 2
    assert "--limit must be between 1 and 200" in capsys.readouterr().err


def test_divergence_exits_3_and_saves_nothing(idx_folder, tmp_path, capsys):
    model = tmp_path / "m.npz"
    code = run(
        f"train --data {idx_folder} --optimizer gd --lr 1e12 --schedule constant "
        f"--quiet --out {model}"
    )
    assert code == 3
    assert "smaller learning rate" in capsys.readouterr().err
    assert not model.exists()


@pytest.mark.slow  # a subprocess
def test_console_module_runs():
    result = subprocess.run(
        [sys.executable, "-m", "digitnet", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("digitnet ")


def test_lr_1000_stops_with_exit_3(tmp_path, capsys):
    code = run(f"train --lr 1000 --limit 2000 --quiet --out {tmp_path / 'm.npz'}")
    err = capsys.readouterr().err
    assert code == 3 and "training diverged" in err and "smaller learning rate" in err
    assert err.count("\n") == 1 and not (tmp_path / "m.npz").exists()


@pytest.mark.slow  # a subprocess
def test_debug_shows_the_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "digitnet", "--debug", "evaluate", str(tmp_path / "none.npz")],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "Traceback" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "digitnet", "evaluate", str(tmp_path / "none.npz")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_show_augmented_needs_an_augmentation(tmp_path, capsys):
    assert run(f"train --preset fast --show-augmented {tmp_path / 'a.png'}") == 2
    assert "--show-augmented needs --augment" in capsys.readouterr().err
    assert not (tmp_path / "a.png").exists()


@pytest.mark.parametrize("value", ["128,,64", ",128", "128,", "128, ,64"])
def test_hidden_with_an_empty_size_is_refused(value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["train", "--hidden", value])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and repr(value) in err and "empty" in err
    assert len(err.strip().splitlines()) == 1


def test_help_says_what_the_tool_does_and_its_exit_codes(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run("--help")
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for mention in ("MNIST", "NumPy", "your own images", "browser", "exit status", "130"):
        assert mention in out, mention
    assert "commands.py" not in out and "main(" not in out  # the developer note stays in the code
