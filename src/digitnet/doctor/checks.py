"""The doctor's sanity checks, one function each: what it measures, pass or fail, what to do.

The checks cs231n lists before a long run, on a copy of the network (the one given is never
changed): the loss at the start against ln C (a uniform guess), the gradients against central
differences at the start and after some steps, whether it can learn 50 images by heart, dead or
saturated units, and the data (pixel scale, label balance). The learning-rate range test is in
lr_range.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DivergenceError
from ..nn.gradcheck import check_model
from ..nn.inputs import as_input
from ..nn.network import Network
from ..optim.adam import Adam
from ..optim.base import Optimizer
from ..training.diagnostics import DEAD, RELU_LIKE, SATURATED, SATURATION
from ..training.loop import train_step

GRADIENT_TOLERANCE = 1e-6  # as digitnet gradcheck
OVERFIT_IMAGES, OVERFIT_STEPS = 50, 300
Prepare = Callable[[Network], Network]  # puts a learner's parts into a copy (or leaves it)


@dataclass
class Finding:
    """One check's outcome: passed (None: does not apply), what it measured, what to do."""

    name: str
    passed: bool | None
    measured: str
    advice: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # for --json


def copy_of(model: Network, dtype: str | None = None, prepare: Prepare | None = None) -> Network:
    """A network of the same layers and weights in `dtype`, sharing no array with `model`."""
    twin = model.copy(dtype)
    twin.threads = 1  # small batches: one thread is as fast, and the same bits every time
    return prepare(twin) if prepare is not None else twin


def inputs(model: Network, X: np.ndarray) -> np.ndarray:
    """Images as the network takes them: floats of its dtype, shaped (N, *input_shape)."""
    return as_input(X, model.dtype).reshape(len(X), *model.input_shape)


def initial_loss(model: Network, X: np.ndarray, y: np.ndarray, fresh: bool) -> Finding:
    """The loss of the untrained network against ln C, the loss of a uniform guess."""
    name, classes = "initial loss", model.output_shape[0]
    chance = math.log(classes)
    if not fresh:
        return Finding(name, None, "a trained model: its loss says nothing about its start")
    loss = model.evaluate(X[:1000], y[:1000])["loss"]
    passed = abs(loss - chance) <= 0.25 * chance
    advice = (
        ""
        if passed
        else "the untrained network's scores are far from equal: its initial weights are too "
        "large (use He initialisation before ReLU, Glorot before softmax) or the output layer "
        "has a bias"
        if loss > chance
        else "an untrained network that already beats guessing: is the data leaking its labels?"
    )
    measured = f"{loss:.3f}, against ln {classes} = {chance:.3f} for a uniform guess"
    return Finding(name, passed, measured, advice, {"loss": loss, "chance": chance})


def gradients(
    model: Network, X: np.ndarray, y: np.ndarray, prepare: Prepare | None, steps: int = 20
) -> Finding:
    """Backpropagation against central differences (float64), at the start and after steps."""
    twin = copy_of(model, "float64", prepare)
    rng = np.random.default_rng(0)
    for array in twin.parameters().values():
        if array.ndim == 1:  # biases apart from 0, so that no ReLU input or pooled value ties
            array += rng.uniform(-1e-3, 1e-3, array.shape)
    x, labels = inputs(twin, X[:4]), y[:4]
    before = max(check_model(twin, x, labels, max_entries=40).values())
    optimizer = Adam(1e-3)
    groups = twin.block.groups(False)
    data, targets = inputs(twin, X[:256]), y[:256]
    for step in range(steps):
        start = 32 * step % max(len(data) - 32 + 1, 1)  # batches of 32 in order, round again
        rows = slice(start, start + 32)
        train_step(twin, data[rows], targets[rows], optimizer, groups)
    after = max(check_model(twin, x, labels, max_entries=40).values())
    worst = max(before, after)
    passed = worst < GRADIENT_TOLERANCE
    measured = (
        f"largest relative error {before:.1e} at the start, {after:.1e} after {steps} steps "
        f"(must be < {GRADIENT_TOLERANCE:g})"
    )
    advice = (
        ""
        if passed
        else "a backward pass does not match its forward: find it with "
        + ("`digitnet learn check`" if prepare is not None else "`digitnet gradcheck --layers`")
    )
    return Finding("gradient check", passed, measured, advice, {"start": before, "after": after})


def overfit(
    model: Network,
    X: np.ndarray,
    y: np.ndarray,
    make_optimizer: Callable[[], Optimizer],
    prepare: Prepare | None,
) -> tuple[Finding, Network]:
    """Can it learn OVERFIT_IMAGES images by heart (100% of them) within OVERFIT_STEPS steps?
    Also returns the copy it trained (what those steps did to the units)."""
    twin = copy_of(model, None, prepare)
    optimizer = make_optimizer()
    x, labels = inputs(twin, X[:OVERFIT_IMAGES]), y[:OVERFIT_IMAGES]
    groups = twin.block.groups(optimizer.weight_decay > 0)
    name, lr = f"overfit {OVERFIT_IMAGES} images", optimizer.lr
    loss = math.nan
    for step in range(1, OVERFIT_STEPS + 1):
        try:
            with np.errstate(over="raise", invalid="raise"):
                logits, loss = train_step(twin, x, labels, optimizer, groups)
        except (FloatingPointError, DivergenceError):
            loss = math.inf
        if not math.isfinite(loss):
            advice = f"the loss overflowed at step {step}: lower the learning rate ({lr:g})"
            return Finding(name, False, f"diverged at step {step}", advice, {"step": step}), twin
        if (logits.argmax(axis=1) == labels).all():
            measured = f"all {OVERFIT_IMAGES} right after {step} steps (loss {loss:.3f})"
            return Finding(name, True, measured, values={"steps": step, "loss": loss}), twin
    right = int((twin.predict(X[:OVERFIT_IMAGES]) == labels).sum())
    measured = f"{right} of {OVERFIT_IMAGES} right after {OVERFIT_STEPS} steps (loss {loss:.3f})"
    advice = (
        "a network that cannot memorise 50 images will not learn 60,000: check the learning "
        f"rate ({lr:g}; see the range test), dead units and the gradient check"
    )
    return Finding(name, False, measured, advice, {"right": right, "loss": loss}), twin


def units(model: Network, X: np.ndarray, name: str = "dead or saturated units") -> Finding:
    """Dead ReLU units (never on for any of 1,000 images) and saturated sigmoid/tanh outputs."""
    activations: list[np.ndarray] = []
    names = [layer.config()["type"] for layer in model.layers if layer.is_activation]
    model.forward(inputs(model, X[:1000]), activations=activations)
    shares, problems = [], []
    for index, (kind, a) in enumerate(zip(names, activations)):
        per_unit = a.reshape(len(a), a.shape[1], -1)  # (N, units or channels, positions)
        if kind in RELU_LIKE:
            share = float((per_unit.max(axis=(0, 2)) <= 0).mean())
            shares.append({"layer": index, "activation": kind, "dead": share})
            if share >= DEAD:
                problems.append(f"{share:.0%} of activation {index + 1} ({kind}) never fire")
        elif kind in SATURATION:
            centre, limit = SATURATION[kind]
            share = float((np.abs(a - centre) > limit).mean())
            shares.append({"layer": index, "activation": kind, "saturated": share})
            if share >= SATURATED:
                problems.append(f"{share:.0%} of activation {index + 1} ({kind}) are saturated")
    if not shares:
        return Finding(name, None, "no ReLU, sigmoid or tanh layer")
    worst = ", ".join(
        f"{s['activation']} {s['layer'] + 1}: {s.get('dead', s.get('saturated')):.0%}"
        for s in shares
    )
    if problems:
        advice = (
            "a dead unit passes no gradient, so it never comes back: lower the learning rate, "
            "or start the biases at 0 and the weights with He initialisation"
        )
        return Finding(name, False, "; ".join(problems), advice,
                       {"layers": shares})  # fmt: skip
    measured = f"dead or saturated per activation layer: {worst} (a layer fails at {DEAD:.0%})"
    return Finding(name, True, measured, values={"layers": shares})


def data(X: np.ndarray, y: np.ndarray, classes: int = 10) -> list[Finding]:
    """The pixels' scale as the network will see them, and how balanced the labels are."""
    findings = []
    low, high = float(X.min()), float(X.max())
    if X.dtype == np.uint8:
        passed, measured = True, f"uint8 pixels {low:.0f}-{high:.0f}, divided by 255 on the way in"
    else:
        passed = low >= -0.5 and high <= 1.5
        measured = f"float pixels {low:g} to {high:g} (the network expects about 0 to 1)"
    advice = "" if passed else "divide the pixels by 255 (or pass them as uint8)"
    findings.append(Finding("pixel scale", passed, measured, advice, {"min": low, "max": high}))
    outside = (y < 0) | (y >= classes)
    counts = np.bincount(y[~outside].astype(np.int64), minlength=classes)[:classes]
    shares = counts / max(counts.sum(), 1)
    passed = bool(not outside.any() and shares.min() >= 0.5 / classes)
    measured = (
        f"{len(y):,} labels; the rarest class {int(shares.argmin())} has {shares.min():.1%}, "
        f"the commonest {int(shares.argmax())} {shares.max():.1%} (uniform: {1 / classes:.0%})"
    )
    advice = (
        ""
        if passed
        else f"{int(outside.sum())} labels outside 0-{classes - 1}"
        if outside.any()
        else "a class with less than half its share: the network will learn to neglect it"
    )
    findings.append(
        Finding("label balance", passed, measured, advice, {"counts": counts.tolist()})
    )
    return findings
