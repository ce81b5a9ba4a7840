"""What an exercise is, and how a learner's answer to one is checked.

An exercise names the functions the learner writes, digitnet's answer (the reference), the cases
to run both on (the first a tiny worked example), and known mistakes: each a copy of the reference
with one function replaced by a wrong version. A check runs the learner's functions and the
reference on every case, compares each output tensor (compare.py), and, if the learner's outputs
differ, runs each known mistake on the same cases: one whose outputs the learner's match is named.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .compare import Row, compare, worst
from .loader import LearnerError, NotWritten

Functions = dict[str, Callable[..., Any]]
Outputs = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One set of inputs, with a name that says what it tests ("huge logits", "stride 2")."""

    name: str
    inputs: dict[str, Any]


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: the reference with some functions replaced by wrong versions."""

    name: str
    reason: str
    functions: Functions


@dataclass(frozen=True)
class Exercise:
    """One part to write: its functions, the reference, the cases and the known mistakes."""

    name: str
    file: str  # the learner's file in their folder, e.g. "01_relu.py"
    title: str
    functions: tuple[str, ...]
    section: str  # where docs/backprop.md explains it
    hint: str
    reference: Functions
    cases: Callable[[], list[Case]]  # fresh inputs (fixed seeds); the first is the tiny one
    run: Callable[[Functions, dict[str, Any]], Outputs]  # the learner's outputs on one case
    mistakes: tuple[Mistake, ...] = ()
    tolerances: dict[str, float] = field(default_factory=dict)  # absolute, for statistics
    # (analytic, numeric) pairs: the learner's backward against differences of their forward
    self_check: Callable[[Functions], dict[str, tuple[np.ndarray, np.ndarray]]] | None = None
    self_check_of: str = "your forward"


@dataclass
class Result:
    """What checking one exercise found."""

    exercise: Exercise
    status: str  # "not written", "failing" or "passing"
    rows: list[Row] = field(default_factory=list)
    self_rows: list[Row] = field(default_factory=list)
    error: str = ""
    mistakes: list[Mistake] = field(default_factory=list)
    example: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Whether every output matched the reference on every case."""
        return self.status == "passing"


def returned(value: Any, count: int, what: str) -> tuple[Any, ...]:
    """`value` as a tuple of `count` results; LearnerError saying what was expected if not."""
    if not isinstance(value, tuple | list) or len(value) != count:
        raise LearnerError(f"{what} must return {count} values, it returned {_describe(value)}")
    return tuple(value)


def _describe(value: Any) -> str:
    if isinstance(value, tuple | list):
        return f"{len(value)} values"
    if isinstance(value, np.ndarray):
        return f"one array of shape {value.shape}"
    return f"{type(value).__name__} {value!r}"[:80]


def outputs_on(
    run: Callable[[Functions, dict[str, Any]], Outputs], functions: Functions, case: Case
) -> Outputs:
    """The outputs of `functions` on a copy of the case's inputs (nothing is shared)."""
    # Learners' code may overflow on purpose-made inputs (huge logits): the non-finite results
    # are what the check reports, so NumPy's warnings about them would only repeat it.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return run(functions, copy.deepcopy(case.inputs))


def compare_outputs(
    exercise: Exercise, received: list[Outputs], expected: list[Outputs], cases: list[Case]
) -> list[Row]:
    """One row per output tensor: the worst comparison over the cases."""
    rows: dict[str, list[Row]] = {}
    for case, got, want in zip(cases, received, expected):
        for name, value in want.items():
            tolerance = exercise.tolerances.get(name)
            row = compare(name, got.get(name), value, tolerance, case.name)
            rows.setdefault(name, []).append(row)
    return [worst(group) for group in rows.values()]


def check(exercise: Exercise, functions: Functions) -> Result:
    """Check the learner's `functions` against the reference on every case of the exercise."""
    start = time.perf_counter()
    cases = exercise.cases()
    expected = [outputs_on(exercise.run, exercise.reference, case) for case in cases]
    received = []
    try:
        for case in cases:
            received.append(outputs_on(exercise.run, functions, case))
    except NotWritten as missing:
        result = Result(exercise, "not written", error=f"{missing.function} is not written yet")
        result.seconds = time.perf_counter() - start
        return result
    except LearnerError as error:
        result = Result(exercise, "failing", error=error.report)
        result.seconds = time.perf_counter() - start
        return result
    except (TypeError, ValueError, IndexError, AttributeError) as error:
        # raised by the check itself on what their functions returned (None, a list, a scalar)
        report = f"the check could not use what your functions returned: {error}"
        result = Result(exercise, "failing", error=report)
        result.seconds = time.perf_counter() - start
        return result
    rows = compare_outputs(exercise, received, expected, cases)
    result = Result(exercise, "passing" if all(r.close for r in rows) else "failing", rows)
    result.self_rows = _self_check(exercise, functions)
    if not result.passed:
        result.mistakes = [m for m in exercise.mistakes if _matches(exercise, m, received, cases)]
        result.example = worked_example(exercise, cases, received, expected)
    result.seconds = time.perf_counter() - start
    return result


def _matches(
    exercise: Exercise, mistake: Mistake, received: list[Outputs], cases: list[Case]
) -> bool:
    """Whether the learner's outputs are those of the known mistake on every case."""
    functions = exercise.reference | mistake.functions
    wrong = [outputs_on(exercise.run, functions, case) for case in cases]
    return all(r.close for r in compare_outputs(exercise, received, wrong, cases))


def _self_check(exercise: Exercise, functions: Functions) -> list[Row]:
    """The learner's gradients against central differences of their own forward."""
    if exercise.self_check is None:
        return []
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            pairs = exercise.self_check(functions)
    except (LearnerError, NotWritten):
        return []  # their error is reported by the check itself
    except (TypeError, ValueError, IndexError, AttributeError) as error:
        # what their functions returned cannot be differentiated (None, a wrong shape, a
        # loss per image instead of one number): the comparison above already shows it
        note = f"could not run: {error}"[:120]
        return [Row("your backward", False, False, np.inf, np.inf, "a random case", note)]
    return [compare(name, a, n, case="a random case") for name, (a, n) in pairs.items()]


def worked_example(
    exercise: Exercise, cases: list[Case], received: list[Outputs], expected: list[Outputs]
) -> str:
    """The inputs, expected and received values of the first (smallest) case that fails."""
    for case, got, want in zip(cases, received, expected):
        failing = [
            name
            for name in want
            if not compare(name, got.get(name), want[name], exercise.tolerances.get(name)).close
        ]
        if not failing:
            continue
        lines = [f"case {case.name!r}:"]
        lines += [f"  {name} = {_show(value)}" for name, value in case.inputs.items()]
        for name in failing:
            lines += [
                f"  expected {name}: {_show(want[name])}",
                f"  received {name}: {_show(got.get(name))}",
            ]
        return "\n".join(lines)
    return ""


def _show(value: Any) -> str:
    """A value for the worked example: small arrays written out, large ones by shape."""
    if isinstance(value, np.random.Generator):
        return "a numpy random Generator"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    array = np.asarray(value) if isinstance(value, int | float | np.ndarray) else None
    if array is None:
        return repr(value)
    if array.size > 24:
        return f"array of shape {array.shape}"
    text = np.array2string(array, precision=4, suppress_small=True, separator=", ")
    return " ".join(text.split())
