"""The doctor: sanity checks for any network before a long run, each with pass or fail, what it
measured and what to do (cs231n's list, and fast.ai's learning-rate range test).

    from digitnet import doctor
    findings, test = doctor.diagnose(model, X_train, y_train, lambda: dn.Adam(lr=1e-3))
    for f in findings:
        print(f.name, f.passed, f.measured)

The command line: `digitnet doctor [MODEL | --layers SPEC | --parts DIR]`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..nn.network import Network
from ..optim.base import Optimizer
from . import checks, lr_range
from .checks import Finding, Prepare
from .lr_range import RangeTest

__all__ = ["Finding", "RangeTest", "diagnose"]


def diagnose(
    model: Network,
    X: np.ndarray,
    y: np.ndarray,
    make_optimizer: Callable[[], Optimizer],
    fresh: bool = True,
    prepare: Prepare | None = None,
) -> tuple[list[Finding], RangeTest]:
    """Every check on `model` (left unchanged) and the training data (X, y); the range test.

    make_optimizer: a new optimizer of the run's kind and rate (the overfit and range tests
    train with it). fresh: the network is untrained (the initial-loss check applies).
    prepare: puts a learner's parts into each copy the checks train (learn.parts.use_parts).
    """
    findings = checks.data(X, y, model.output_shape[0])
    findings.append(checks.initial_loss(model, X, y, fresh))
    findings.append(checks.gradients(model, X, y, prepare))
    overfit, trained = checks.overfit(model, X, y, make_optimizer, prepare)
    findings.append(overfit)
    test = lr_range.range_test(model, X, y, make_optimizer, prepare)
    findings.append(lr_range.finding(test, make_optimizer().lr))
    findings.append(checks.units(model, X))
    if np.isfinite(trained.flat_params).all():
        name = f"dead or saturated units after the {overfit.name} steps"
        findings.append(checks.units(trained, X, name))
    return findings, test
