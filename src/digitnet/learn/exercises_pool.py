"""The exercise of max-pooling, forward and backward: windows that tile or overlap, ties, and
the mistakes of a gradient sent to the wrong places."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn import reference_conv as ref
from ..nn.gradcheck import numerical_gradient
from .exercise import Case, Exercise, Functions, Mistake, Outputs

Pair = tuple[np.ndarray, np.ndarray]


# --- 11. max-pooling -----------------------------------------------------------------------------
def pool_cases() -> list[Case]:
    """The inputs of the pool checks; the first is the tiny worked example."""
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

    tie = np.array([[[[1.0, 1.0, 2.0, 0.0], [0.0, 0.0, 0.0, 2.0]]]])  # two ties, 2x2 windows
    shared = np.array([[[[0.0, 1.0, 0.0], [1.0, 5.0, 1.0], [0.0, 1.0, 0.0]]]])  # one winner
    return [
        Case("tiny", {"x": tiny, "k": 2, "stride": 2}),
        Case("a tie in each window", {"x": tie, "k": 2, "stride": 2}),
        Case("overlapping windows, one winner for all", {"x": shared, "k": 2, "stride": 1}),
        case("random 2x3x6x6", (2, 3, 6, 6), 2, 2),
        case("3x3 windows, stride 2 (overlapping)", (1, 2, 7, 7), 3, 2),
        case("stride 1", (1, 2, 5, 4), 2, 1),
        case("5x5 image, 2x2 windows (last row and column left out)", (2, 1, 5, 5), 2, 2),
    ]


def pool_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    x, k, stride = c["x"], c["k"], c["stride"]
    y = f["maxpool2d"](x, k, stride)
    grad_out = np.random.default_rng(x.size).standard_normal(ref.maxpool2d(x, k, stride).shape)
    return {"y": y, "dx": f["maxpool2d_backward"](x, grad_out, k, stride)}


def pool_self_check(f: Functions) -> dict[str, Pair]:
    """The learner's gradients against central differences of a forward, by tensor."""
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


def tied_winners(window: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Every position holding the window's largest value gets the gradient."""
    return (window == window.max(axis=(2, 3), keepdims=True)) * g


def pool_backward_assigned(x: np.ndarray, grad_out: np.ndarray, k: int, stride: int) -> np.ndarray:
    """The reference's backward with = where it has +=."""
    dx = np.zeros(x.shape)
    N, C, H_out, W_out = grad_out.shape
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride : i * stride + k, j * stride : j * stride + k]
                    ki, kj = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + ki, j * stride + kj] = grad_out[n, c, i, j]
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
            "the gradient goes to every tied maximum",
            "where a window's largest value appears twice, only one of them (the first in "
            "row-major order, as PyTorch) counts as the winner: np.argmax picks it",
            {"maxpool2d_backward": lambda x, g, k, s: windows(x, g, k, s, tied_winners)},
        ),
        Mistake(
            "the gradient is assigned, not added, where windows overlap",
            "one input can win several overlapping windows: add each window's gradient to it "
            "(+=), or all but the last are lost",
            {"maxpool2d_backward": pool_backward_assigned},
        ),
        Mistake(
            "the windows' mean instead of their maximum",
            "max-pooling keeps each window's largest value (np.max over the window)",
            {"maxpool2d": pool_mean},
        ),
    ),
    self_check=pool_self_check,
)
