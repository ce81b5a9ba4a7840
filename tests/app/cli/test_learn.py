"""`digitnet learn`: listing, start, check (with its table, mistakes and hint), reset."""

from __future__ import annotations

import shutil
from pathlib import Path

from digitnet.app.cli import main
from digitnet.learn import EXERCISES

OTHER_PARTS = Path(__file__).parents[2] / "learn" / "other_parts"


def test_learn_lists_the_exercises_before_start(tmp_path, capsys):
    assert main(["learn", "--dir", str(tmp_path / "mine")]) == 0
    out = capsys.readouterr().out
    assert f"digitnet learn start {tmp_path / 'mine'}" in out
    assert " 1  relu " in out and "13  batchnorm " in out


def test_start_check_and_the_status_list(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["learn", "start", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.count("written") == len(EXERCISES)
    assert f"`digitnet learn check relu --dir {folder}`" in out

    assert main(["learn", "check", "relu", "--dir", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "relu is not written yet" in out and "NOT WRITTEN" in out

    shutil.copy(OTHER_PARTS / "01_relu.py", folder / "01_relu.py")
    assert main(["learn", "check", "relu", "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"relu ({folder / '01_relu.py'}): PASSING")
    assert "relu_backward(x, grad_out)  yes    yes      0.00e+00" in out

    assert main(["learn", "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].split()[:2] == ["1", "relu"] and lines[1].endswith("passing")
    assert lines[2].endswith("not written")
    assert lines[-1] == f"{len(EXERCISES)} exercises: 1 passing, 0 failing, 12 not written yet"


def test_a_mistake_is_named_with_its_reason_and_the_section_to_read(tmp_path, capsys):
    main(["learn", "start", str(tmp_path)])
    (tmp_path / "03_dense.py").write_text(
        "def dense_forward(x, W, b):\n    return x @ W + b\n\n"
        "def dense_backward(x, W, grad_out):\n"
        "    return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=1)\n"
    )
    capsys.readouterr()
    assert main(["learn", "check", "dense", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "FAILING" in out
    assert "recognised mistake: the bias gradient is summed over the wrong axis." in out
    assert "db                        no     NO" in out
    assert "shape (2,), expected (2,)" not in out and "case 'tiny':" in out
    assert "read docs/backprop.md, section 3. Dense layer: z = x W + b" in out


def test_the_hint_shows_the_rule_not_the_code(tmp_path, capsys):
    main(["learn", "start", str(tmp_path)])
    capsys.readouterr()
    assert main(["learn", "check", "dense", "--hint", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("hint for dense: z = x W + b")
    assert "def " not in out and "return" not in out


def test_check_all_passes_only_when_every_exercise_does(tmp_path, capsys):
    for item in EXERCISES:
        shutil.copy(OTHER_PARTS / item.file, tmp_path / item.file)
    assert main(["learn", "check", "--dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "13 of 13 exercises passing"
    (tmp_path / "12_dropout.py").unlink()
    assert main(["learn", "check", "--dir", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "12 of 13 exercises passing"


def test_reset_keeps_the_learner_s_file(tmp_path, capsys):
    main(["learn", "start", str(tmp_path)])
    (tmp_path / "01_relu.py").write_text("# mine\n")
    capsys.readouterr()
    assert main(["learn", "reset", "relu", "--dir", str(tmp_path)]) == 0
    assert "yours is kept as" in capsys.readouterr().out
    assert (tmp_path / "01_relu.py.1.bak").read_text() == "# mine\n"


def test_bad_names_are_one_line_errors(tmp_path, capsys):
    main(["learn", "start", str(tmp_path)])
    capsys.readouterr()
    assert main(["learn", "check", "relux", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("digitnet: error: no exercise 'relux'") and err.count("\n") == 1
