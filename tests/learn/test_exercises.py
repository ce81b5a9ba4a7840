"""Every exercise: its skeleton is "not written yet", digitnet's answer and a second one written
differently pass, each known mistake is named, and a wrong answer with no known mistake fails
without a false diagnosis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from digitnet.learn import EXERCISES, check, check_file, start
from digitnet.learn.loader import functions_of, load

OTHER_PARTS = Path(__file__).parent / "other_parts"
MISTAKES = [(e, m) for e in EXERCISES for m in e.mistakes]


def ids(item: object) -> str:
    return getattr(item, "name", str(item))


def test_the_exercises_build_a_network_in_order():
    assert [e.name for e in EXERCISES] == [
        "relu", "softmax_cross_entropy", "dense", "gradient_descent", "momentum", "adam",
        "he_init", "conv_loops", "conv_im2col", "conv_backward", "maxpool", "dropout",
        "batchnorm",
    ]  # fmt: skip
    assert [e.file[:2] for e in EXERCISES] == [f"{n:02}" for n in range(1, len(EXERCISES) + 1)]


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_a_skeleton_is_not_written_yet(exercise, tmp_path):
    start(tmp_path)
    result = check_file(exercise, tmp_path)
    assert result.status == "not written"
    assert "is not written yet" in result.error
    assert exercise.functions[0] in result.error


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_digitnet_s_answer_passes(exercise):
    result = check(exercise, exercise.reference)
    assert result.status == "passing", [r for r in result.rows if not r.close]
    assert result.rows and all(r.close for r in result.rows)
    assert not result.mistakes and not result.example


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_an_answer_written_differently_passes(exercise):
    path = OTHER_PARTS / exercise.file
    result = check(exercise, functions_of(load(path), exercise.functions, path))
    assert result.status == "passing", [r for r in result.rows if not r.close]
    assert all(r.close for r in result.self_rows), result.self_rows


@pytest.mark.parametrize(("exercise", "mistake"), MISTAKES, ids=ids)
def test_a_known_mistake_is_named(exercise, mistake):
    result = check(exercise, exercise.reference | mistake.functions)
    assert result.status == "failing"
    assert [m.name for m in result.mistakes] == [mistake.name]
    assert result.example.startswith("case ")


def offset(function, by=0.01):
    """`function` with every array it returns moved by `by` (a wrong answer, no known one)."""

    def wrong(*args, **kwargs):
        value = function(*args, **kwargs)
        if isinstance(value, tuple):
            return tuple(v + by if isinstance(v, np.ndarray | float) else v for v in value)
        return value + by

    return wrong


def in_place_then(function, by=0.003):
    """An optimizer step that also nudges the first parameter."""

    def wrong(params, *args, **kwargs):
        function(params, *args, **kwargs)
        params[0] += by

    return wrong


def scaled_dropout(forward):
    def wrong(x, p, rng):
        y, mask = forward(x, p, rng)
        return y * 1.1, mask

    return wrong


WRONG = {
    "relu": {"relu_backward": offset},
    "softmax_cross_entropy": {"softmax_cross_entropy": offset},
    "dense": {"dense_backward": offset},
    "gradient_descent": {"sgd_step": in_place_then},
    "momentum": {"momentum_step": in_place_then},
    "adam": {"adam_step": in_place_then},
    "he_init": {"he_normal": lambda f: lambda i, o, rng: f(i, o, rng) * 1.2},
    "conv_loops": {"conv2d_loops": offset},
    "conv_im2col": {"conv2d_im2col": offset},
    "conv_backward": {"conv2d_backward": offset},
    "maxpool": {"maxpool2d_backward": offset},
    "dropout": {"dropout_forward": scaled_dropout},
    "batchnorm": {"batchnorm_backward": offset},
}


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_a_wrong_answer_with_no_known_mistake_fails_without_a_diagnosis(exercise):
    wrong = {name: make(exercise.reference[name]) for name, make in WRONG[exercise.name].items()}
    result = check(exercise, exercise.reference | wrong)
    assert result.status == "failing"
    assert result.mistakes == []
    assert any(not r.close for r in result.rows)
    assert "expected" in result.example and "received" in result.example
