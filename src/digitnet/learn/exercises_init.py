"""The exercise of He initialisation. The draw is random, so its check measures the statistics of
100,000 draws (mean, spread, the shape of the distribution) and that one seed gives one W."""

from __future__ import annotations

from typing import Any

import numpy as np

from .exercise import Case, Exercise, Functions, Mistake, Outputs


# --- 7. He initialisation ------------------------------------------------------------------------
def he_cases() -> list[Case]:
    """The inputs of the he checks; the first is the tiny worked example."""
    return [
        Case("tiny 3x5", {"fan_in": 3, "fan_out": 5, "seed": 0}),
        Case("784 -> 128", {"fan_in": 784, "fan_out": 128, "seed": 1}),
        Case("200 -> 300", {"fan_in": 200, "fan_out": 300, "seed": 2}),
    ]


def he_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    fan_in, fan_out = c["fan_in"], c["fan_out"]
    W = np.asarray(f["he_normal"](fan_in, fan_out, np.random.default_rng(c["seed"])), float)
    again = np.asarray(f["he_normal"](fan_in, fan_out, np.random.default_rng(c["seed"])), float)
    other = np.asarray(
        f["he_normal"](fan_in, fan_out, np.random.default_rng(c["seed"] + 7)), float
    )
    outputs: Outputs = {
        "shape": np.array(W.shape),
        "same seed, same W": float(W.shape == again.shape and np.array_equal(W, again)),
        "another seed, another W": float(W.shape != other.shape or not np.array_equal(W, other)),
    }
    if W.size >= 10_000 and W.shape == (fan_in, fan_out):  # enough draws to measure them
        std = np.sqrt(2.0 / fan_in)
        outputs["mean / sqrt(2 / fan_in)"] = W.mean() / std
        outputs["std / sqrt(2 / fan_in)"] = W.std() / std
        outputs["kurtosis (3 if normal)"] = np.mean((W - W.mean()) ** 4) / W.var() ** 2
    return outputs


def he_reference(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """W ~ N(0, 2 / fan_in), shape (fan_in, fan_out)."""
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


HE = Exercise(
    name="he_init",
    file="07_he_init.py",
    title="He initialisation",
    functions=("he_normal",),
    section="1. The forward pass",
    hint=(
        "Draw W (fan_in, fan_out) from a normal distribution with mean 0 and variance "
        "2 / fan_in, so standard deviation sqrt(2 / fan_in): ReLU zeroes half its inputs, and "
        "the factor 2 keeps the activations' size from layer to layer. Draw from the rng given "
        "(rng.standard_normal or rng.normal), not from np.random."
    ),
    reference={"he_normal": he_reference},
    cases=he_cases,
    run=he_run,
    mistakes=(
        Mistake(
            "the variance is used as the standard deviation",
            "2 / fan_in is the variance; the standard deviation is its square root",
            {"he_normal": lambda i, o, rng: rng.standard_normal((i, o)) * (2.0 / i)},
        ),
        Mistake(
            "fan_out instead of fan_in",
            "He initialisation keeps the forward signal's size: the variance is "
            "2 / fan_in, the number of inputs each unit adds up",
            {"he_normal": lambda i, o, rng: rng.standard_normal((i, o)) * np.sqrt(2.0 / o)},
        ),
        Mistake(
            "Glorot's variance instead of He's",
            "2 / (fan_in + fan_out) suits tanh and sigmoid; ReLU zeroes half its inputs, so "
            "He doubles the variance to 2 / fan_in",
            {"he_normal": lambda i, o, rng: rng.standard_normal((i, o)) * np.sqrt(2.0 / (i + o))},
        ),
        Mistake(
            "a uniform distribution instead of a normal one",
            "U(-a, a) with a = sqrt(6 / fan_in) has the right variance (He uniform), but "
            "this exercise asks for the normal distribution",
            {"he_normal": lambda i, o, rng: rng.uniform(-1, 1, (i, o)) * np.sqrt(6.0 / i)},
        ),
        Mistake(
            "W is drawn (fan_out, fan_in), PyTorch's layout",
            "digitnet's dense layer computes x W with W (D_in, D_out): draw (fan_in, fan_out); "
            "PyTorch's nn.Linear stores the transpose",
            {"he_normal": lambda i, o, rng: rng.standard_normal((o, i)) * np.sqrt(2.0 / i)},
        ),
        Mistake(
            "the draws do not come from the rng given",
            "draw from `rng`, so that one seed gives one network: np.random or a new "
            "generator gives other numbers every run",
            {"he_normal": lambda i, o, rng: he_reference(i, o, np.random.default_rng())},
        ),
    ),
    tolerances={
        "mean / sqrt(2 / fan_in)": 0.03,
        "std / sqrt(2 / fan_in)": 0.03,
        "kurtosis (3 if normal)": 0.2,
    },
)
