"""How a check reports: its table, the learner's own traceback, their backward against their own
forward, and the folder that never loses a learner's file."""

from __future__ import annotations

import numpy as np
import pytest

from digitnet.errors import DigitnetError
from digitnet.learn import (
    EXERCISES,
    check,
    check_all,
    check_file,
    exercise,
    reset,
    skeleton,
    start,
)
from digitnet.learn.compare import compare

RELU = exercise("relu")


def write(folder, name, text):
    """The learner's file of exercise `name`, with `text`."""
    path = folder / exercise(name).file
    path.write_text(text)
    return path


def test_compare_reports_exact_close_and_the_differences():
    expected = np.array([1.0, -2.0, 4.0])
    row = compare("t", expected.copy(), expected)
    assert (row.exact, row.close, row.max_abs_diff, row.relative_error) == (True, True, 0, 0)
    row = compare("t", expected + [0, 0, 1e-7], expected)
    assert (row.exact, row.close) == (False, True)
    assert row.max_abs_diff == pytest.approx(1e-7) and row.relative_error == pytest.approx(2.5e-8)
    row = compare("t", expected + [0, 0.5, 0], expected)
    assert (row.close, row.max_abs_diff, row.relative_error) == (False, 0.5, 0.125)
    assert compare("t", np.ones(4), expected).note == "shape (4,), expected (3,)"
    assert not compare("t", [1.0, np.nan, 4.0], expected).close
    assert compare("t", [1.0, np.inf], [2.0, np.nan]).note == ""  # both non-finite there...
    assert not compare("t", [1.0, np.inf], [2.0, np.nan]).close  # ...but 1 is not 2
    assert compare("t", None, expected).note == "missing (None)"
    assert compare("stat", 1.02, 1.0, tolerance=0.03).close
    assert not compare("stat", 1.05, 1.0, tolerance=0.03).close


def test_a_learner_s_exception_shows_their_traceback_only(tmp_path):
    start(tmp_path)
    path = write(tmp_path, "relu", (
        "import numpy as np\n\n"
        "def helper(x):\n    return x / undefined_name\n\n"
        "def relu(x):\n    return helper(x)\n\n"
        "def relu_backward(x, grad_out):\n    return grad_out * (x > 0)\n"
    ))  # fmt: skip
    result = check_file(RELU, tmp_path)
    assert result.status == "failing"
    assert "Traceback (your code only)" in result.error
    assert str(path) in result.error and "in helper" in result.error and "in relu" in result.error
    assert "NameError: name 'undefined_name' is not defined" in result.error
    assert "digitnet" not in result.error.replace(str(tmp_path), "")


def test_a_file_that_does_not_import_is_reported_with_its_line(tmp_path):
    start(tmp_path)
    write(tmp_path, "relu", "def relu(x):\n    return x +\n")
    result = check_file(RELU, tmp_path)
    assert (
        result.status == "failing" and "SyntaxError" in result.error and "line 2" in result.error
    )


def test_a_renamed_function_is_reported(tmp_path):
    start(tmp_path)
    write(tmp_path, "relu", "def relu(x):\n    return x\n")
    result = check_file(RELU, tmp_path)
    assert result.status == "failing" and "has no function relu_backward" in result.error


def test_a_half_written_exercise_names_the_function_left(tmp_path):
    start(tmp_path)
    text = skeleton(RELU).replace(
        '"""\n    raise NotImplementedError\n\n\ndef relu_backward',
        '"""\n    return np.maximum(x, 0)\n\n\ndef relu_backward',
    )
    write(tmp_path, "relu", text)
    result = check_file(RELU, tmp_path)
    assert (result.status, result.error) == ("not written", "relu_backward is not written yet")


def test_a_wrong_return_count_says_what_was_expected():
    result = check(exercise("dense"), exercise("dense").reference
                   | {"dense_backward": lambda x, W, g: (g @ W.T, x.T @ g)})  # fmt: skip
    assert result.error == "dense_backward must return 3 values, it returned 2 values"


def test_the_self_check_tells_a_wrong_forward_from_a_wrong_backward():
    """ReLU scaled by 2 in both directions: digitnet's values differ, but the learner's backward
    is the right one for their forward, which the self-check shows."""
    doubled = {"relu": lambda x: 2 * np.maximum(x, 0),
               "relu_backward": lambda x, g: 2 * g * (x > 0)}  # fmt: skip
    result = check(RELU, doubled)
    assert (
        result.status == "failing" and result.self_rows and all(r.close for r in result.self_rows)
    )
    wrong_backward = RELU.reference | {"relu_backward": lambda x, g: 2 * g * (x > 0)}
    assert not any(r.close for r in check(RELU, wrong_backward).self_rows)


def test_the_worked_example_shows_the_tiny_case():
    result = check(RELU, RELU.reference | {"relu_backward": lambda x, g: g})
    assert result.example.splitlines() == [
        "case 'tiny':",
        "  x = [[-2. , -0.5, 0. , 0.5, 2. ]]",
        "  grad_out = [[1., 2., 3., 4., 5.]]",
        "  expected relu_backward(x, grad_out): [[0., 0., 0., 4., 5.]]",
        "  received relu_backward(x, grad_out): [[1., 2., 3., 4., 5.]]",
    ]


def test_start_never_overwrites_a_learner_s_file(tmp_path):
    assert {w.action for w in start(tmp_path)} == {"written"}
    path = write(tmp_path, "dense", "# mine\n")
    actions = {w.exercise.name: w.action for w in start(tmp_path)}
    assert actions["dense"] == "kept: yours" and actions["relu"] == "kept: unchanged"
    assert path.read_text() == "# mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(e.file for e in EXERCISES)


def test_reset_keeps_the_learner_s_file_as_a_backup(tmp_path):
    start(tmp_path)
    path = write(tmp_path, "dense", "# first try\n")
    first = reset("dense", tmp_path)
    assert first.name == "03_dense.py.1.bak" and first.read_text() == "# first try\n"
    assert path.read_text() == skeleton(exercise("dense"))
    write(tmp_path, "dense", "# second try\n")
    assert reset("dense", tmp_path).read_text() == "# second try\n"
    assert first.read_text() == "# first try\n"
    assert reset("dense", tmp_path) is None  # an unchanged skeleton needs no backup


def test_unknown_names_and_missing_folders_are_one_line_errors(tmp_path):
    with pytest.raises(DigitnetError, match="no exercise 'relux'; the exercises are: relu, "):
        exercise("relux")
    with pytest.raises(DigitnetError, match="digitnet learn start"):
        check_all(None, tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("name", "functions"),
    [
        ("relu", {"relu": lambda x: None, "relu_backward": lambda x, g: g * (x > 0)}),
        ("relu", {"relu": lambda x: np.maximum(x, 0).ravel(), "relu_backward": lambda x, g: g}),
        ("softmax_cross_entropy", {"softmax_cross_entropy": lambda z, y: (
            -(z - z.max(1, keepdims=True))[np.arange(len(y)), y], np.zeros(z.shape))}),
        ("batchnorm", {"batchnorm_forward": lambda x, gamma, beta, eps=1e-5: x.T,
                       "batchnorm_backward": lambda x, gamma, g, eps=1e-5: (g, gamma, gamma)}),
    ],
    ids=["relu returns None", "relu flattens", "a loss per image", "batchnorm transposed"],
)  # fmt: skip
def test_answers_of_the_wrong_kind_fail_with_a_report_not_a_crash(name, functions):
    result = check(exercise(name), exercise(name).reference | functions)
    assert result.status == "failing"
    assert result.error or any(not r.close for r in result.rows)


def test_a_file_that_calls_exit_fails(tmp_path):
    start(tmp_path)
    write(tmp_path, "relu", "import sys\nprint('hi')\nsys.exit()\n")
    result = check_file(RELU, tmp_path)
    assert result.status == "failing" and "your code called exit()" in result.error
    write(tmp_path, "relu", "def relu(x):\n    raise SystemExit(3)\n\n"
                            "def relu_backward(x, g):\n    return g\n")  # fmt: skip
    assert check_file(RELU, tmp_path).status == "failing"
