"""The exercises of a CNN's other layers: max-pooling, dropout and batch normalisation.

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


# --- 11. max-pooling -----------------------------------------------------------------------------
def pool_cases() -> list[Case]:
    rng = np.random.default_rng(13)
    tiny = np.array(
        [
            [
                [
                    [1.0, 3.0, 2.0, 0.0],
                    [4.0, 2.0, -1.0, 5.0],
                    [0.0, 1.0, 2.0, 3.0],
                    [6.0, 0.5, 1.5, 7.0],
                ]
            ]
        ]
    )

    def case(name: str, shape: tuple[int, ...], k: int, stride: int) -> Case:
        return Case(name, {"x": rng.standard_normal(shape), "k": k, "stride": stride})

    return [
        Case("tiny", {"x": tiny, "k": 2, "stride": 2}),
        case("random 2x3x6x6", (2, 3, 6, 6), 2, 2),
        case("3x3 windows, stride 2 (overlapping)", (1, 2, 7, 7), 3, 2),
        case("stride 1", (1, 2, 5, 4), 2, 1),
        case("5x5 image, 2x2 windows (last row and column left out)", (2, 1, 5, 5), 2, 2),
    ]


def pool_run(f: Functions, c: dict[str, Any]) -> Outputs:
    x, k, stride = c["x"], c["k"], c["stride"]
    y = f["maxpool2d"](x, k, stride)
    grad_out = np.random.default_rng(x.size).standard_normal(ref.maxpool2d(x, k, stride).shape)
    return {"y": y, "dx": f["maxpool2d_backward"](x, grad_out, k, stride)}


def pool_self_check(f: Functions) -> dict[str, Pair]:
    rng = np.random.default_rng(14)
    x, g = rng.standard_normal((2, 2, 6, 6)), rng.standard_normal((2, 2, 2, 2))
    numeric = numerical_gradient(lambda: float(np.sum(f["maxpool2d"](x, 3, 2) * g)), x)
    return {"dx": (f["maxpool2d_backward"](x.copy(), g, 3, 2), numeric)}


def windows(x: np.ndarray, grad_out: np.ndarray, k: int, stride: int, share: Any) -> np.ndarray:
    """dL/dx where each window hands its gradient out as share(window, g) says."""
    dx = np.zeros(x.shape)
    N, C, H_out, W_out = grad_out.shape
    for i in range(H_out):
        for j in range(W_out):
            rows, cols = slice(i * stride, i * stride + k), slice(j * stride, j * stride + k)
            g = grad_out[:, :, i, j][:, :, None, None]
            dx[:, :, rows, cols] += share(x[:, :, rows, cols], g)
    return dx


def pool_mean(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    """Average-pooling: each window's mean."""
    H_out, W_out = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    y = np.zeros((*x.shape[:2], H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
            y[:, :, i, j] = window.mean(axis=(2, 3))
    return y


MAXPOOL = Exercise(
    name="maxpool",
    file="11_maxpool.py",
    title="max-pooling, forward and backward",
    functions=("maxpool2d", "maxpool2d_backward"),
    section="12. Max-pooling",
    hint=(
        "x (N, C, H, W) -> y (N, C, H_out, W_out), H_out = (H - k) // stride + 1: y[n, c, i, j] "
        "is the largest x in the k x k window at (stride i, stride j). Only that largest entry "
        "shaped the output, so backward sends grad_out[n, c, i, j] to it alone (add, do not "
        "assign: overlapping windows can share a winner); every other entry gets 0."
    ),
    reference={"maxpool2d": ref.maxpool2d, "maxpool2d_backward": ref.maxpool2d_backward},
    cases=pool_cases,
    run=pool_run,
    mistakes=(
        Mistake(
            "the pooling gradient is sent to every position of the window",
            "only the window's largest entry reached the output: the others get 0",
            {"maxpool2d_backward": lambda x, g, k, s: windows(x, g, k, s, lambda w, g: g + 0 * w)},
        ),
        Mistake(
            "the pooling gradient is averaged over the window",
            "that is average-pooling's backward; max-pooling sends it all to the largest",
            {
                "maxpool2d_backward": lambda x, g, k, s: windows(
                    x, g, k, s, lambda w, g: g / k**2 + 0 * w
                )
            },
        ),
        Mistake(
            "the windows' mean instead of their maximum",
            "max-pooling keeps each window's largest value (np.max over the window)",
            {"maxpool2d": pool_mean},
        ),
    ),
    self_check=pool_self_check,
)


# --- 12. dropout ---------------------------------------------------------------------------------
def dropout_cases() -> list[Case]:
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
    x, p = c["x"], c["p"]
    value = f["dropout_forward"](x, p, np.random.default_rng(c["seed"]))
    y, cache = returned(value, 2, "dropout_forward")
    y = np.asarray(y, dtype=float)
    grad_out = np.random.default_rng(99).uniform(1, 2, x.shape)
    dx = np.asarray(f["dropout_backward"](grad_out, cache), dtype=float)
    outputs: Outputs = {"y's shape": np.array(y.shape), "dx's shape": np.array(dx.shape)}
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
    y = f["batchnorm_forward"](c["x"], c["gamma"], c["beta"])
    value = f["batchnorm_backward"](c["x"], c["gamma"], c["grad_out"])
    dx, dgamma, dbeta = returned(value, 3, "batchnorm_backward")
    return {"y": y, "dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def batchnorm_self_check(f: Functions) -> dict[str, Pair]:
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
    _, dgamma, dbeta = ref.batchnorm_backward(x, gamma, grad_out, eps)
    return grad_out * gamma / np.sqrt(x.var(axis=0) + eps), dgamma, dbeta


def batchnorm_without_mean_path(
    x: np.ndarray, gamma: np.ndarray, grad_out: np.ndarray, eps: float = 1e-5
) -> tuple[Any, Any, Any]:
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
