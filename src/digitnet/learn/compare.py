"""Comparing a learner's tensors with the expected ones, as Karpathy's `cmp()` does.

For every tensor: is it exact, is it close, the largest absolute difference and the relative error.
A tensor may also be a statistic with its own absolute tolerance (the spread of an initialiser).
Non-finite entries (nan, inf) agree only with non-finite entries at the same places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RELATIVE_TOLERANCE = 1e-5  # float32 arithmetic on float64 inputs stays well inside it


@dataclass(frozen=True)
class Row:
    """How one received tensor compares with the expected one (the worst over the cases)."""

    name: str
    exact: bool
    close: bool
    max_abs_diff: float
    relative_error: float
    case: str = ""  # the case where it was worst
    note: str = ""  # a shape mismatch, a missing output


def compare(
    name: str, received: object, expected: object, tolerance: float | None = None, case: str = ""
) -> Row:
    """One Row; `tolerance` is an absolute bound (for statistics), else relative 1e-5."""
    want = np.asarray(expected, dtype=np.float64)
    if received is None:
        return Row(name, False, False, np.inf, np.inf, case, "missing (None)")
    try:
        got = np.asarray(received, dtype=np.float64)
    except (TypeError, ValueError):
        return Row(name, False, False, np.inf, np.inf, case, f"not an array: {type(received)}")
    if got.shape != want.shape:
        note = f"shape {got.shape}, expected {want.shape}"
        return Row(name, False, False, np.inf, np.inf, case, note)
    finite_got, finite_want = np.isfinite(got), np.isfinite(want)
    if not np.array_equal(finite_got, finite_want):
        count = int((~finite_got).sum())
        note = f"{count} non-finite entries (nan/inf)" if count else "finite where expected nan"
        return Row(name, False, False, np.inf, np.inf, case, note)
    diff = np.abs(got[finite_got] - want[finite_want])
    max_abs = float(diff.max()) if diff.size else 0.0
    scale = float(np.abs(want[finite_want]).max()) if diff.size else 0.0
    relative = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else np.inf)
    if tolerance is None:
        close = max_abs <= RELATIVE_TOLERANCE * scale + 1e-12
    else:
        close = max_abs <= tolerance
    exact = bool(np.array_equal(got[finite_got], want[finite_want]))
    return Row(name, exact, bool(close), max_abs, relative, case)


def worst(rows: list[Row]) -> Row:
    """The row that is furthest from its expected value (not close first, then by difference)."""
    return max(rows, key=lambda r: (not r.close, r.max_abs_diff, r.relative_error))


def table(rows: list[Row], heading: str) -> str:
    """A text table: tensor, exact, close, max |diff|, relative error, and where it was worst."""
    width = max([len(heading), *(len(r.name) for r in rows)])
    lines = [f"  {heading:<{width}}  exact  close  max |diff|  rel. error  worst case"]
    for r in rows:
        where = f"{r.case}" + (f" ({r.note})" if r.note else "")
        lines.append(
            f"  {r.name:<{width}}  {'yes' if r.exact else 'no':<5}  "
            f"{'yes' if r.close else 'NO':<5}  {r.max_abs_diff:10.2e}  {r.relative_error:10.2e}"
            f"  {where}"
        )
    return "\n".join(lines)
