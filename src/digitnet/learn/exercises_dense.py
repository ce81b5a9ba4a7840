"""The exercise of a dense layer, z = x W + b: its forward and backward, with digitnet's answer
(the plain reference, nn/reference.py), the cases and the mistakes learners make most."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn import reference as ref
from ..nn.gradcheck import numerical_gradient
from .exercise import Case, Exercise, Functions, Mistake, Outputs, returned
from .exercises_mlp import normal, sum_against


# --- 3. dense layer ------------------------------------------------------------------------------
def dense_cases() -> list[Case]:
    """The inputs of the dense checks; the first is the tiny worked example."""
    rng = np.random.default_rng(5)

    def case(name: str, N: int, D_in: int, D_out: int) -> Case:
        return Case(
            name,
            {
                "x": rng.standard_normal((N, D_in)),
                "W": rng.standard_normal((D_in, D_out)),
                "b": rng.standard_normal(D_out),
                "grad_out": rng.standard_normal((N, D_out)),
            },
        )

    tiny = Case(
        "tiny",
        {
            "x": np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]]),
            "W": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]),
            "b": np.array([0.5, -0.5]),
            "grad_out": np.array([[1.0, 0.0], [2.0, 1.0]]),
        },
    )
    return [
        tiny,
        case("random 5x7 -> 4", 5, 7, 4),
        case("one image", 1, 6, 3),
        case("one output", 3, 4, 1),
        case("square 4x4 -> 4", 4, 4, 4),
    ]


def dense_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    z = f["dense_forward"](c["x"], c["W"], c["b"])
    dx, dW, db = returned(f["dense_backward"](c["x"], c["W"], c["grad_out"]), 3, "dense_backward")
    return {"z": z, "dx": dx, "dW": dW, "db": db}


def dense_self_check(f: Functions) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The learner's gradients against central differences of a forward, by tensor."""
    x, W, b, g = normal(6, (3, 5), (5, 4), (4,), (3, 4))
    loss = sum_against(g)
    dx, dW, db = returned(f["dense_backward"](x.copy(), W.copy(), g), 3, "dense_backward")
    return {
        "dx": (dx, numerical_gradient(lambda: loss(f["dense_forward"](x, W, b)), x)),
        "dW": (dW, numerical_gradient(lambda: loss(f["dense_forward"](x, W, b)), W)),
        "db": (db, numerical_gradient(lambda: loss(f["dense_forward"](x, W, b)), b)),
    }


def dense_with(**wrong: Any) -> Any:
    """dense_backward with some of (dx, dW, db) computed by the given wrong functions."""

    def backward(x: np.ndarray, W: np.ndarray, grad_out: np.ndarray) -> tuple[Any, Any, Any]:
        dx, dW, db = ref.dense_backward(x, W, grad_out)
        dW = wrong["dW"](x, grad_out) if "dW" in wrong else dW
        db = wrong["db"](grad_out) if "db" in wrong else db
        return dx, dW, db

    return backward


DENSE = Exercise(
    name="dense",
    file="03_dense.py",
    title="a dense layer's forward and backward",
    functions=("dense_forward", "dense_backward"),
    section="3. Dense layer: z = x W + b",
    hint=(
        "z = x W + b with x (N, D_in), W (D_in, D_out), b (D_out,). Backward, from grad_out = "
        "dL/dz (N, D_out): dL/dx = grad_out W^T (N, D_in), dL/dW = x^T grad_out (D_in, D_out), "
        "dL/db = grad_out summed over the batch (D_out,). Each gradient has the shape of what it "
        "is the gradient of: let the shapes tell you which side a transpose goes."
    ),
    reference={"dense_forward": ref.dense, "dense_backward": ref.dense_backward},
    cases=dense_cases,
    run=dense_run,
    mistakes=(
        Mistake(
            "the bias gradient is summed over the wrong axis",
            "b is added to every row, so its gradient sums grad_out over the batch, axis 0, "
            "giving shape (D_out,); axis 1 sums over the units instead",
            {"dense_backward": dense_with(db=lambda g: g.sum(axis=1))},
        ),
        Mistake(
            "the bias gradient is averaged over the batch",
            "the 1 / N of the mean loss is already inside grad_out: sum it, do not average "
            "it a second time",
            {"dense_backward": dense_with(db=lambda g: g.mean(axis=0))},
        ),
        Mistake(
            "the weight gradient is transposed",
            "dL/dW has W's shape (D_in, D_out): it is x^T grad_out, not grad_out^T x",
            {"dense_backward": dense_with(dW=lambda x, g: g.T @ x)},
        ),
        Mistake(
            "the weight gradient is averaged over the batch",
            "the 1 / N of the mean loss is already inside grad_out: x^T grad_out is the "
            "whole gradient",
            {"dense_backward": dense_with(dW=lambda x, g: x.T @ g / len(x))},
        ),
    ),
    self_check=dense_self_check,
)
