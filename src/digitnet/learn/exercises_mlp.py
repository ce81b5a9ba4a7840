"""The first exercises: ReLU, and softmax with cross-entropy (a dense layer: exercises_dense.py).

Each gives digitnet's answer (the plain reference, nn/reference.py), the cases to check on and
the mistakes learners make most, each written as the wrong function it would be.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn import reference as ref
from ..nn.gradcheck import numerical_gradient
from .exercise import Case, Exercise, Functions, Mistake, Outputs, returned


def normal(seed: int, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    """Standard-normal float64 arrays of the given shapes from one seeded generator."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes]


def sum_against(upstream: np.ndarray) -> Any:
    """L(y) = sum(y * upstream): its gradient with respect to y is `upstream`."""
    return lambda y: float(np.sum(np.asarray(y) * upstream))


# --- 1. ReLU -------------------------------------------------------------------------------------
def relu_cases() -> list[Case]:
    """The inputs of the relu checks; the first is the tiny worked example."""
    rng = np.random.default_rng(1)
    tiny = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0]])
    return [
        Case("tiny", {"x": tiny, "grad_out": np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])}),
        Case(
            "random 8x13",
            {"x": rng.standard_normal((8, 13)), "grad_out": rng.standard_normal((8, 13))},
        ),
        Case(
            "zeros and huge values",
            {
                "x": np.array([[0.0, -1e30, 1e30], [0.0, 0.0, -0.0]]),
                "grad_out": rng.standard_normal((2, 3)),
            },
        ),
        Case(
            "images (2, 3, 4, 5)",
            {
                "x": rng.standard_normal((2, 3, 4, 5)),
                "grad_out": rng.standard_normal((2, 3, 4, 5)),
            },
        ),
    ]


def relu_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    y = f["relu"](c["x"].copy())
    return {"relu(x)": y, "relu_backward(x, grad_out)": f["relu_backward"](c["x"], c["grad_out"])}


def relu_self_check(f: Functions) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The learner's gradients against central differences of a forward, by tensor."""
    x, g = normal(2, (4, 6), (4, 6))
    loss = sum_against(g)
    numeric = numerical_gradient(lambda: loss(f["relu"](x.copy())), x)
    return {"dL/dx": (f["relu_backward"](x, g), numeric)}


RELU = Exercise(
    name="relu",
    file="01_relu.py",
    title="ReLU and its derivative",
    functions=("relu", "relu_backward"),
    section="4. Activations (element-wise)",
    hint=(
        "relu(x) keeps the positive entries and puts 0 elsewhere: np.maximum does it in one "
        "call. Its derivative is 1 where x > 0 and 0 elsewhere (also at exactly 0, as PyTorch "
        "takes it), and the chain rule multiplies it entry by entry with grad_out. Both keep "
        "x's shape, whatever it is."
    ),
    reference={"relu": ref.relu, "relu_backward": ref.relu_backward},
    cases=relu_cases,
    run=relu_run,
    mistakes=(
        Mistake(
            "the ReLU derivative is missing",
            "relu_backward returned grad_out unchanged: multiply it by [x > 0], the slope "
            "of max(x, 0), which is 0 wherever the unit was off",
            {"relu_backward": lambda x, grad_out: grad_out},
        ),
        Mistake(
            "the mask comes from grad_out, not from x",
            "whether a gradient passes depends on the unit's input x (was it on?), not on "
            "the sign of the gradient arriving",
            {"relu_backward": lambda x, grad_out: grad_out * (grad_out > 0)},
        ),
        Mistake(
            "grad_out is not multiplied in",
            "[x > 0] is only the local slope: the chain rule multiplies it by grad_out",
            {"relu_backward": lambda x, grad_out: (x > 0).astype(float)},
        ),
        Mistake(
            "the derivative at exactly 0 is taken as 1",
            "use x > 0, not x >= 0: the gradient at 0 is taken as 0 (as PyTorch does), so a "
            "unit whose input is exactly 0 passes nothing back",
            {"relu_backward": lambda x, grad_out: grad_out * (x >= 0)},
        ),
    ),
    self_check=relu_self_check,
)


# --- 2. softmax and cross-entropy ----------------------------------------------------------------
def softmax_cases() -> list[Case]:
    """The inputs of the softmax checks; the first is the tiny worked example."""
    rng = np.random.default_rng(3)
    return [
        Case(
            "tiny",
            {"logits": np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 3.0]]), "labels": np.array([0, 1])},
        ),
        Case(
            "random 16x10",
            {"logits": rng.standard_normal((16, 10)) * 3, "labels": rng.integers(0, 10, 16)},
        ),
        Case(
            "huge logits",
            {
                "logits": np.array([[1000.0, 0.0, -1000.0], [-800.0, 900.0, 0.0]]),
                "labels": np.array([0, 2]),
            },
        ),
        Case("one image", {"logits": rng.standard_normal((1, 10)), "labels": np.array([7])}),
        Case("all logits equal", {"logits": np.zeros((4, 10)), "labels": np.arange(4)}),
    ]


def softmax_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    value = f["softmax_cross_entropy"](c["logits"], c["labels"])
    loss, grad = returned(value, 2, "softmax_cross_entropy")
    return {"loss": loss, "dL/dlogits": grad}


def softmax_self_check(f: Functions) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The learner's gradients against central differences of a forward, by tensor."""
    (logits,) = normal(4, (5, 10))
    labels = np.array([3, 0, 9, 9, 1])

    def loss() -> float:
        return float(returned(f["softmax_cross_entropy"](logits, labels), 2, "it")[0])

    analytic = returned(f["softmax_cross_entropy"](logits.copy(), labels), 2, "it")[1]
    return {"dL/dlogits": (analytic, numerical_gradient(loss, logits))}


def softmax_without_max(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """The textbook softmax, exp(z) / sum exp(z): exp overflows to inf beyond z = 709."""
    N, C = logits.shape
    exp = np.exp(logits)
    probs = exp / exp.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), labels]))
    return float(loss), (probs - np.eye(C)[labels]) / N


def softmax_summed(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """The loss and its gradient summed over the batch, not averaged."""
    loss, grad = ref.softmax_cross_entropy(logits, labels)
    return loss * len(logits), grad * len(logits)


def softmax_grad_not_divided(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean loss with a gradient not divided by N."""
    loss, grad = ref.softmax_cross_entropy(logits, labels)
    return loss, grad * len(logits)


def softmax_probs_only(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """The gradient p, without the one-hot labels subtracted."""
    loss, grad = ref.softmax_cross_entropy(logits, labels)
    return loss, grad + np.eye(logits.shape[1])[labels] / len(logits)


SOFTMAX = Exercise(
    name="softmax_cross_entropy",
    file="02_softmax_cross_entropy.py",
    title="the stable softmax with cross-entropy, and its fused gradient",
    functions=("softmax_cross_entropy",),
    section="2. Softmax and cross-entropy, fused",
    hint=(
        "Subtract each row's largest logit first (softmax does not change, and exp can no "
        "longer overflow). The loss is the mean over the N images of -log p[label], best "
        "computed as log(sum exp(shifted)) - shifted[label]. The gradient of that mean with "
        "respect to the logits is (p - onehot(labels)) / N, shape (N, C)."
    ),
    reference={"softmax_cross_entropy": ref.softmax_cross_entropy},
    cases=softmax_cases,
    run=softmax_run,
    mistakes=(
        Mistake(
            "softmax without subtracting the maximum",
            "exp(1000) overflows to inf and inf / inf is nan: subtract each row's largest "
            "logit before exp (the probabilities do not change)",
            {"softmax_cross_entropy": softmax_without_max},
        ),
        Mistake(
            "the loss is summed instead of averaged (gradient off by N)",
            "the loss is the mean over the batch, so both it and its gradient carry 1 / N; "
            "summed, the step grows with the batch size",
            {"softmax_cross_entropy": softmax_summed},
        ),
        Mistake(
            "the gradient is not divided by N",
            "the loss is a mean over N images, so its gradient is (p - onehot) / N",
            {"softmax_cross_entropy": softmax_grad_not_divided},
        ),
        Mistake(
            "the one-hot labels are not subtracted",
            "d(-log p[label]) / dlogits is p - onehot(label), not p alone",
            {"softmax_cross_entropy": softmax_probs_only},
        ),
    ),
    self_check=softmax_self_check,
)
