"""The exercises of dropout and batch normalisation (max-pooling: exercises_pool.py).

Dropout is random, so its check measures properties any correct answer has (the share dropped,
the scale of what is kept, a backward that goes through the same mask) instead of values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn import reference_conv as ref
from ..nn.gradcheck import numerical_gradient
from .exercise import Case, Exercise, Functions, Mistake, Outputs, returned

Pair = tuple[np.ndarray, np.ndarray]


# --- 12. dropout ---------------------------------------------------------------------------------
def dropout_cases() -> list[Case]:
    """The inputs of the dropout checks; the first is the tiny worked example."""
    rng = np.random.default_rng(15)
    return [
        Case(
            "tiny 2x4, p 0.5",
            {"x": np.array([[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, 0.5, 1.5]]), "p": 0.5, "seed": 0},
        ),
        Case("200x500, p 0.3", {"x": rng.uniform(0.5, 1.5, (200, 500)), "p": 0.3, "seed": 1}),
        Case(
            "images 50x4x10x10, p 0.5",
            {"x": rng.uniform(-1.5, -0.5, (50, 4, 10, 10)), "p": 0.5, "seed": 2},
        ),
    ]


def dropout_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    x, p = c["x"], c["p"]
    value = f["dropout_forward"](x, p, np.random.default_rng(c["seed"]))
    y, cache = returned(value, 2, "dropout_forward")
    y = np.asarray(y, dtype=float)
    grad_out = np.random.default_rng(99).uniform(1, 2, x.shape)
    dx = np.asarray(f["dropout_backward"](grad_out, cache), dtype=float)
    again = returned(f["dropout_forward"](x, p, np.random.default_rng(c["seed"])), 2, "it")[0]
    outputs: Outputs = {"y's shape": np.array(y.shape), "dx's shape": np.array(dx.shape)}
    outputs["same seed, same y"] = float(np.array_equal(y, np.asarray(again, dtype=float)))
    if y.shape != x.shape or dx.shape != x.shape:
        return outputs  # the shapes' rows say what is wrong
    kept = y != 0
    outputs |= {
        "kept values y / x": (y[kept] / x[kept]).mean() if kept.any() else 0.0,
        "spread of y / x": np.ptp(y[kept] / x[kept]) if kept.any() else 0.0,
        "dx / grad_out where kept": (dx[kept] / grad_out[kept]).mean() if kept.any() else 0.0,
        "dx where dropped": np.abs(dx[~kept]).max() if (~kept).any() else 0.0,
    }
    if x.size >= 10_000:  # enough draws to measure the share
        outputs["share dropped"] = 1 - kept.mean()
    return outputs


def dropout_reference(x: np.ndarray, p: float, rng: np.random.Generator) -> tuple[Any, Any]:
    """y = x m / (1 - p), m ~ Bernoulli(1 - p); the scaled mask for backward."""
    scaled_mask = (rng.random(x.shape) >= p) / (1 - p)
    return x * scaled_mask, scaled_mask


DROPOUT = Exercise(
    name="dropout",
    file="12_dropout.py",
    title="(inverted) dropout",
    functions=("dropout_forward", "dropout_backward"),
    section="16. Dropout: inverted scaling",
    hint=(
        "While training, zero each entry with probability p (a mask drawn from rng, e.g. "
        "rng.random(x.shape) >= p) and divide the survivors by 1 - p, so that each entry "
        "keeps its expected value. Return y and what backward needs (the mask). Backward "
        "sends grad_out through the same mask, with the same 1 / (1 - p)."
    ),
    reference={
        "dropout_forward": dropout_reference,
        "dropout_backward": lambda grad_out, mask: grad_out * mask,
    },
    cases=dropout_cases,
    run=dropout_run,
    mistakes=(
        Mistake(
            "dropout is not rescaled",
            "multiply what is kept by 1 / (1 - p), in forward and backward: without it the "
            "next layer sees smaller inputs in training than in evaluation",
            {
                "dropout_forward": lambda x, p, rng: (lambda m: (x * m, m))(
                    (rng.random(x.shape) >= p) * 1.0
                )
            },
        ),
        Mistake(
            "p is taken as the share kept",
            "p is the probability of dropping an entry: keep it with probability 1 - p",
            {"dropout_forward": lambda x, p, rng: dropout_reference(x, 1 - p, rng)},
        ),
        Mistake(
            "the backward leaves out the 1 / (1 - p)",
            "forward multiplied what it kept by 1 / (1 - p), so the gradient that goes back "
            "through it is multiplied by the same factor",
            {
                "dropout_forward": lambda x, p, rng: (lambda keep: (x * keep / (1 - p), keep))(
                    rng.random(x.shape) >= p
                ),
                "dropout_backward": lambda grad_out, keep: grad_out * keep,
            },
        ),
        Mistake(
            "the backward ignores the mask",
            "a dropped entry did not reach the output, so it gets no gradient: multiply "
            "grad_out by the same mask (and 1 / (1 - p))",
            {"dropout_backward": lambda grad_out, mask: grad_out * 1.0},
        ),
    ),
    tolerances={
        "share dropped": 0.02,
        "kept values y / x": 1e-6,
        "spread of y / x": 1e-6,
        "dx / grad_out where kept": 1e-6,
        "dx where dropped": 1e-9,
    },
)


# --- 13. batch normalisation ---------------------------------------------------------------------
def batchnorm_cases() -> list[Case]:
    """The inputs of the batchnorm checks; the first is the tiny worked example."""
    rng = np.random.default_rng(16)

    def case(name: str, N: int, D: int, scale: float = 1.0, shift: float = 0.0) -> Case:
        return Case(
            name,
            {
                "x": rng.standard_normal((N, D)) * scale + shift,
                "gamma": rng.uniform(0.5, 2, D),
                "beta": rng.standard_normal(D),
                "grad_out": rng.standard_normal((N, D)),
            },
        )

    tiny = Case(
        "tiny",
        {
            "x": np.array([[1.0, 0.0], [2.0, 4.0], [3.0, -4.0], [6.0, 0.0]]),
            "gamma": np.array([1.0, 0.5]),
            "beta": np.array([0.0, 1.0]),
            "grad_out": np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0], [0.5, 0.0]]),
        },
    )
    return [
        tiny,
        case("random 16x5", 16, 5),
        case("two images", 2, 3),
        case("large values, 1000 x + 50", 8, 4, 1000.0, 50.0),
    ]


def batchnorm_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    y = f["batchnorm_forward"](c["x"], c["gamma"], c["beta"])
    value = f["batchnorm_backward"](c["x"], c["gamma"], c["grad_out"])
    dx, dgamma, dbeta = returned(value, 3, "batchnorm_backward")
    return {"y": y, "dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def batchnorm_self_check(f: Functions) -> dict[str, Pair]:
    """The learner's gradients against central differences of a forward, by tensor."""
    rng = np.random.default_rng(17)
    x, gamma, beta = rng.standard_normal((6, 3)), rng.uniform(0.5, 2, 3), rng.standard_normal(3)
    g = rng.standard_normal((6, 3))

    def loss() -> float:
        return float(np.sum(f["batchnorm_forward"](x, gamma, beta) * g))

    dx, dgamma, dbeta = returned(f["batchnorm_backward"](x.copy(), gamma.copy(), g), 3, "it")
    return {
        "dx": (dx, numerical_gradient(loss, x)),
        "dgamma": (dgamma, numerical_gradient(loss, gamma)),
        "dbeta": (dbeta, numerical_gradient(loss, beta)),
    }


def batchnorm_constant_statistics(
    x: np.ndarray, gamma: np.ndarray, grad_out: np.ndarray, eps: float = 1e-5
) -> tuple[Any, Any, Any]:
    """dL/dx as if the batch's mean and variance were constants."""
    _, dgamma, dbeta = ref.batchnorm_backward(x, gamma, grad_out, eps)
    return grad_out * gamma / np.sqrt(x.var(axis=0) + eps), dgamma, dbeta


def batchnorm_without_mean_path(
    x: np.ndarray, gamma: np.ndarray, grad_out: np.ndarray, eps: float = 1e-5
) -> tuple[Any, Any, Any]:
    """dL/dx without the path through the batch's mean."""
    dx, dgamma, dbeta = ref.batchnorm_backward(x, gamma, grad_out, eps)
    return dx + (grad_out * gamma).mean(axis=0) / np.sqrt(x.var(axis=0) + eps), dgamma, dbeta


BATCHNORM = Exercise(
    name="batchnorm",
    file="13_batchnorm.py",
    title="batch normalisation's backward",
    functions=("batchnorm_forward", "batchnorm_backward"),
    section="13. Batch normalisation",
    hint=(
        "Forward, per feature d over the batch: x_hat = (x - mean) / sqrt(var + eps), y = gamma "
        "x_hat + beta (var without N - 1). Backward: dbeta = sum of grad_out over the batch, "
        "dgamma = sum of grad_out * x_hat, and dx must count that mean and var depend on every "
        "x: dx = gamma / sqrt(var + eps) (g - mean(g) - x_hat mean(g x_hat)), means over N."
    ),
    reference={"batchnorm_forward": ref.batchnorm, "batchnorm_backward": ref.batchnorm_backward},
    cases=batchnorm_cases,
    run=batchnorm_run,
    mistakes=(
        Mistake(
            "the batch's mean and variance are treated as constants",
            "each x moves its batch's mean and variance too: dx has two more terms, "
            "-mean(g) and -x_hat mean(g x_hat), before the factor gamma / sqrt(var + eps)",
            {"batchnorm_backward": batchnorm_constant_statistics},
        ),
        Mistake(
            "the path through the mean is missing",
            "x - mean depends on every x through the mean: subtract mean(g) as well",
            {"batchnorm_backward": batchnorm_without_mean_path},
        ),
    ),
    self_check=batchnorm_self_check,
)
