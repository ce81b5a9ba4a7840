"""The exercises of learning: a gradient descent step, momentum and Adam.

A step updates the parameters in place, so the check keeps the arrays it handed over and looks at
those afterwards: a step that rebinds a name (p = p - lr * g) leaves them as they were.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn import reference as ref
from .exercise import Case, Exercise, Functions, Mistake, Outputs


def step_cases(seed: int) -> list[Case]:
    """Parameters and a gradient for each of several steps (shapes of W and b)."""
    rng = np.random.default_rng(seed)

    def case(name: str, shapes: list[tuple[int, ...]], steps: int, lr: float) -> Case:
        params = [rng.standard_normal(s) for s in shapes]
        grads = [
            [rng.standard_normal(s) * 10.0 ** rng.uniform(-2, 1) for s in shapes]
            for _ in range(steps)
        ]
        return Case(name, {"params": params, "grads": grads, "lr": lr})

    tiny = Case(
        "tiny",
        {
            "params": [np.array([[1.0, -1.0]]), np.array([0.5])],
            "grads": [[np.array([[1.0, 2.0]]), np.array([-1.0])] for _ in range(2)],
            "lr": 0.1,
        },
    )
    return [
        tiny,
        case("a W and a b, 4 steps", [(5, 3), (3,)], 4, 0.01),
        case("three layers, 6 steps", [(4, 6), (6,), (6, 2), (2,), (2, 1), (1,)], 6, 0.05),
    ]


def run_steps(step: Any, c: dict[str, Any], *state: list[np.ndarray]) -> Outputs:
    """Apply `step` once per gradient list; the arrays handed over, as they end up."""
    params = c["params"]
    originals = list(params)  # the arrays a network holds: the step must change these
    for t, grads in enumerate(c["grads"], start=1):
        step(params, grads, *state, t)
    return {f"params[{i}]": p for i, p in enumerate(originals)}


# --- 4. gradient descent -------------------------------------------------------------------------
def sgd_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    return run_steps(lambda p, g, t: f["sgd_step"](p, g, c["lr"]), c)


def sgd_reference(params: list[np.ndarray], grads: list[np.ndarray], lr: float) -> None:
    """p -= lr g for every parameter, in place."""
    ref.sgd_step(params, grads, [], lr)


def sgd_rebinding(params: list[np.ndarray], grads: list[np.ndarray], lr: float) -> None:
    """A step that rebinds params[i] to a new array."""
    for i in range(len(params)):
        params[i] = params[i] - lr * grads[i]  # a new array: the network's stays as it was


def sgd_ascent(params: list[np.ndarray], grads: list[np.ndarray], lr: float) -> None:
    """A step up the gradient."""
    for p, g in zip(params, grads):
        p += lr * g


SGD = Exercise(
    name="gradient_descent",
    file="04_gradient_descent.py",
    title="a plain gradient descent step",
    functions=("sgd_step",),
    section="6. Updating the weights",
    hint=(
        "Move every parameter a small step against its gradient: p <- p - lr * g. The network "
        "holds these very arrays, so change them in place (p -= lr * g, or p[...] = ...): "
        "p = p - lr * g only makes a new array and leaves the network's as it was."
    ),
    reference={"sgd_step": sgd_reference},
    cases=lambda: step_cases(7),
    run=sgd_run,
    mistakes=(
        Mistake(
            "the parameters are rebound, not updated in place",
            "p = p - lr * g (or params[i] = ...) makes a new array: the arrays the network "
            "holds never change. Write p -= lr * g",
            {"sgd_step": sgd_rebinding},
        ),
        Mistake(
            "the step goes up the gradient",
            "the gradient points to where the loss grows: subtract it, p -= lr * g",
            {"sgd_step": sgd_ascent},
        ),
    ),
)


# --- 5. momentum ---------------------------------------------------------------------------------
def momentum_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    velocities = [np.zeros_like(p) for p in c["params"]]
    step = f["momentum_step"]
    return run_steps(lambda p, g, v, t: step(p, g, v, c["lr"], 0.9), c, velocities)


def momentum_reference(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    velocities: list[np.ndarray],
    lr: float,
    momentum: float = 0.9,
) -> None:
    """v <- momentum v + g;  p <- p - lr v (as torch.optim.SGD)."""
    ref.sgd_step(params, grads, velocities, lr, momentum)


def momentum_forgotten(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    velocities: list[np.ndarray],
    lr: float,
    momentum: float = 0.9,
) -> None:
    """Momentum whose velocity is made afresh each step."""
    for p, g in zip(params, grads):
        v = momentum * 0 + g  # a fresh velocity: the last step's is not kept
        p -= lr * v


def momentum_damped(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    velocities: list[np.ndarray],
    lr: float,
    momentum: float = 0.9,
) -> None:
    """Momentum with the gradient scaled by (1 - momentum)."""
    for p, g, v in zip(params, grads, velocities):
        v *= momentum
        v += (1 - momentum) * g
        p -= lr * v


MOMENTUM = Exercise(
    name="momentum",
    file="05_momentum.py",
    title="gradient descent with momentum",
    functions=("momentum_step",),
    section="6. Updating the weights",
    hint=(
        "Each parameter has a velocity (an array of its shape, zeros at first, kept from step "
        "to step in the list `velocities`): v <- momentum * v + g, then p <- p - lr * v. Update "
        "both in place (v *= ..., v += ..., p -= ...), or store the new v back in the list."
    ),
    reference={"momentum_step": momentum_reference},
    cases=lambda: step_cases(8),
    run=momentum_run,
    mistakes=(
        Mistake(
            "the velocity is not kept between steps",
            "a velocity made afresh each step is just the gradient: plain gradient descent. "
            "Store it back in velocities[i] (or update that array in place)",
            {"momentum_step": momentum_forgotten},
        ),
        Mistake(
            "the gradient is scaled by (1 - momentum)",
            "v = momentum v + (1 - momentum) g is a running average, ten times smaller than "
            "momentum's sum v = momentum v + g (PyTorch's SGD) at momentum 0.9",
            {"momentum_step": momentum_damped},
        ),
    ),
)


# --- 6. Adam -------------------------------------------------------------------------------------
def adam_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    m = [np.zeros_like(p) for p in c["params"]]
    v = [np.zeros_like(p) for p in c["params"]]
    lr = c["lr"] * 10
    return run_steps(lambda p, g, m, v, t: f["adam_step"](p, g, m, v, t, lr), c, m, v)


def adam_reference(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    m: list[np.ndarray],
    v: list[np.ndarray],
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> None:
    """Adam's step t (1, 2, ...), moments m and v kept in their lists."""
    state = {"t": t - 1, "m": m, "v": v}
    ref.adam_step(params, grads, state, lr, beta1, beta2, eps)


def adam_uncorrected(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    m: list[np.ndarray],
    v: list[np.ndarray],
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> None:
    """Adam without the bias corrections of m and v."""
    for i, (p, g) in enumerate(zip(params, grads)):
        m[i] = beta1 * m[i] + (1 - beta1) * g
        v[i] = beta2 * v[i] + (1 - beta2) * g * g
        p -= lr * m[i] / (np.sqrt(v[i]) + eps)


def adam_without_sqrt(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    m: list[np.ndarray],
    v: list[np.ndarray],
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> None:
    """Adam dividing by v itself, not by its square root."""
    for i, (p, g) in enumerate(zip(params, grads)):
        m[i] = beta1 * m[i] + (1 - beta1) * g
        v[i] = beta2 * v[i] + (1 - beta2) * g * g
        p -= lr * (m[i] / (1 - beta1**t)) / (v[i] / (1 - beta2**t) + eps)


ADAM = Exercise(
    name="adam",
    file="06_adam.py",
    title="Adam",
    functions=("adam_step",),
    section="6. Updating the weights",
    hint=(
        "Keep two running means per parameter: m <- beta1 m + (1 - beta1) g and v <- beta2 v + "
        "(1 - beta2) g^2 (store them back in the lists m and v). Both start at 0, so divide by "
        "(1 - beta^t) to undo that pull towards 0 (t is 1 at the first step). Then p <- p - lr "
        "m_hat / (sqrt(v_hat) + eps), in place."
    ),
    reference={"adam_step": adam_reference},
    cases=lambda: step_cases(9),
    run=adam_run,
    mistakes=(
        Mistake(
            "Adam without bias correction",
            "m and v start at 0, so their first values are pulled towards 0: divide by "
            "(1 - beta1^t) and (1 - beta2^t), t = 1 at the first step",
            {"adam_step": adam_uncorrected},
        ),
        Mistake(
            "v's square root is missing",
            "v is a running mean of g^2: the step divides by its square root, a gradient's "
            "typical size, so that every parameter moves by about lr",
            {"adam_step": adam_without_sqrt},
        ),
    ),
)
