"""The exercises of convolution: by loops, as im2col and one matrix product, and its backward.

Images are (N, C, H, W), kernels (C_out, C_in, k, k), as in PyTorch and in digitnet's plain
reference (nn/reference_conv.py), which is the answer here. The cases cover stride, padding,
1x1 kernels and sizes that do not divide evenly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn import reference_conv as ref
from ..nn.gradcheck import numerical_gradient
from .exercise import Case, Exercise, Functions, Mistake, Outputs, returned


def conv_cases() -> list[Case]:
    """The inputs of the conv checks; the first is the tiny worked example."""
    rng = np.random.default_rng(11)

    def case(name: str, x: tuple[int, ...], C_out: int, k: int, stride: int, pad: int) -> Case:
        return Case(
            name,
            {
                "x": rng.standard_normal(x),
                "W": rng.standard_normal((C_out, x[1], k, k)),
                "b": rng.standard_normal(C_out),
                "stride": stride,
                "padding": pad,
            },
        )

    tiny = Case(
        "tiny",
        {
            "x": np.arange(9.0).reshape(1, 1, 3, 3),
            "W": np.array([[[[1.0, 0.0], [0.0, -1.0]]]]),
            "b": np.array([0.5]),
            "stride": 1,
            "padding": 0,
        },
    )
    return [
        tiny,
        case("random 2x3x7x6, 3x3", (2, 3, 7, 6), 4, 3, 1, 0),
        case("stride 2, padding 1", (2, 2, 7, 7), 3, 3, 2, 1),
        case("5x5 kernel, padding 2", (1, 3, 8, 8), 2, 5, 1, 2),
        case("1x1 kernel", (2, 4, 5, 3), 3, 1, 1, 0),
        case("stride 3 on 8x8", (1, 2, 8, 8), 2, 2, 3, 0),
    ]


def conv_outputs(function: Any, c: dict[str, Any]) -> Outputs:
    """The convolution's output z on one case."""
    return {"z": function(c["x"], c["W"], c["b"], c["stride"], c["padding"])}


def conv_mistakes(function: str) -> tuple[Mistake, ...]:
    """The forward mistakes, as replacements of `function` (the loops' or the product's)."""

    def with_(**change: Any) -> Any:
        def wrong(
            x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0
        ) -> np.ndarray:
            arguments: dict[str, Any] = {
                "x": x,
                "W": W,
                "b": b,
                "stride": stride,
                "padding": padding,
            }
            arguments |= {key: f(arguments) for key, f in change.items()}
            return ref.conv2d(**arguments)

        return {function: wrong}

    return (
        Mistake(
            "the kernel is flipped (a convolution, not a cross-correlation)",
            "deep learning's 'convolution' slides the kernel unflipped: "
            "z[i, j] = sum W[ki, kj] x[i + ki, j + kj]",
            with_(W=lambda a: a["W"][:, :, ::-1, ::-1]),
        ),
        Mistake(
            "the bias is missing",
            "add b[o] to every position of output channel o",
            with_(b=lambda a: 0 * a["b"]),
        ),
        Mistake(
            "the padding is ignored",
            "pad each image with `padding` zeros on every side first (np.pad)",
            with_(padding=lambda a: 0),
        ),
        Mistake(
            "the stride is ignored",
            "output position (i, j) looks at the window starting at (stride i, stride j); "
            "H_out = (H + 2 padding - k) // stride + 1",
            with_(stride=lambda a: 1),
        ),
    )


CONV_HINT_SHAPES = (
    "x (N, C, H, W) padded with `padding` zeros, W (C_out, C, k, k), b (C_out,); "
    "z (N, C_out, H_out, W_out), H_out = (H + 2 padding - k) // stride + 1. "
)

CONV_LOOPS = Exercise(
    name="conv_loops",
    file="08_conv_loops.py",
    title="convolution by loops",
    functions=("conv2d_loops",),
    section="8. Convolution is a cross-correlation",
    hint=CONV_HINT_SHAPES
    + (
        "Loop over images n, output channels o and output positions (i, j): "
        "z[n, o, i, j] = b[o] + sum of W[o] * the (C, k, k) window of x at "
        "(stride i, stride j)."
    ),
    reference={"conv2d_loops": ref.conv2d},
    cases=conv_cases,
    run=lambda f, c: conv_outputs(f["conv2d_loops"], c),
    mistakes=conv_mistakes("conv2d_loops"),
)


# --- im2col ----------------------------------------------------------------------------------
def im2col_reference(x: np.ndarray, k: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    """The patch matrix (N H_out W_out, C k k): row (n, i, j), column (c, ki, kj)."""
    x = ref.pad(x, padding)
    N, C, H, W = x.shape
    H_out, W_out = (H - k) // stride + 1, (W - k) // stride + 1
    cols = np.zeros((N, H_out, W_out, C, k, k))
    for i in range(H_out):
        for j in range(W_out):
            cols[:, i, j] = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
    return cols.reshape(N * H_out * W_out, C * k * k)


def im2col_channels_last(x: np.ndarray, k: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    """im2col with each patch flattened (ki, kj, c) instead of (c, ki, kj)."""
    cols = im2col_reference(x, k, stride, padding)
    C = x.shape[1]
    return cols.reshape(-1, C, k, k).transpose(0, 2, 3, 1).reshape(len(cols), -1)


def im2col_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    k = c["W"].shape[2]
    return {
        "im2col(x)": f["im2col"](c["x"], k, c["stride"], c["padding"]),
        "z": f["conv2d_im2col"](c["x"], c["W"], c["b"], c["stride"], c["padding"]),
    }


IM2COL = Exercise(
    name="conv_im2col",
    file="09_conv_im2col.py",
    title="convolution as im2col and one matrix product",
    functions=("im2col", "conv2d_im2col"),
    section="9. im2col: the convolution as one matrix product",
    hint=CONV_HINT_SHAPES
    + (
        "im2col lays every window out as a row: row n H_out W_out + i W_out + j holds the "
        "window of image n at (i, j), flattened in the order (c, ki, kj), the order of "
        "W[o].reshape(-1). Then z = cols @ W.reshape(C_out, -1).T + b is (N H_out W_out, "
        "C_out): reshape it to (N, H_out, W_out, C_out) and move the channels to axis 1."
    ),
    reference={"im2col": im2col_reference, "conv2d_im2col": ref.conv2d},
    cases=conv_cases,
    run=im2col_run,
    mistakes=(
        Mistake(
            "the patch's columns are in (ki, kj, c) order",
            "flatten each window channel first, (c, ki, kj), so that its columns line up "
            "with W[o].reshape(-1)",
            {"im2col": im2col_channels_last},
        ),
        *conv_mistakes("conv2d_im2col"),
    ),
)


# --- the backward pass -----------------------------------------------------------------------
def conv_backward_run(f: Functions, c: dict[str, Any]) -> Outputs:
    """The outputs of the functions `f` on one case, by name."""
    z = ref.conv2d(c["x"], c["W"], c["b"], c["stride"], c["padding"])
    grad_out = np.random.default_rng(z.size).standard_normal(z.shape)
    value = f["conv2d_backward"](c["x"], c["W"], grad_out, c["stride"], c["padding"])
    dx, dW, db = returned(value, 3, "conv2d_backward")
    return {"dx": dx, "dW": dW, "db": db}


def conv_backward_self_check(f: Functions) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The learner's gradients against central differences of a forward, by tensor."""
    rng = np.random.default_rng(12)
    x, W, b = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3)), np.zeros(3)
    g = rng.standard_normal((2, 3, 3, 3))

    def loss() -> float:
        return float(np.sum(ref.conv2d(x, W, b, 2, 1) * g))

    dx, dW, db = returned(f["conv2d_backward"](x.copy(), W.copy(), g, 2, 1), 3, "it")
    return {
        "dx": (dx, numerical_gradient(loss, x)),
        "dW": (dW, numerical_gradient(loss, W)),
        "db": (db, numerical_gradient(loss, b)),
    }


def backward_unflipped(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dL/dx as a full convolution of grad_out with the kernel as it is, not flipped."""
    _, dW, db = ref.conv2d_backward(x, W, grad_out, stride, padding)
    dx = ref.conv2d_backward(x, W[:, :, ::-1, ::-1], grad_out, stride, padding)[0]
    return dx, dW, db


def backward_uncropped(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dL/dx of the padded image, its border included."""
    dx_padded, dW, db = ref.conv2d_backward(ref.pad(x, padding), W, grad_out, stride, 0)
    return dx_padded, dW, db


def backward_db_per_position(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray, stride: int = 1, padding: int = 0
) -> tuple[Any, Any, Any]:
    """dL/db summed over the batch only, a gradient per position."""
    dx, dW, _ = ref.conv2d_backward(x, W, grad_out, stride, padding)
    return dx, dW, grad_out.sum(axis=0)


CONV_BACKWARD = Exercise(
    name="conv_backward",
    file="10_conv_backward.py",
    title="convolution's backward",
    functions=("conv2d_backward",),
    section="11. Gradient of the input: a full convolution with the flipped kernel",
    hint=(
        "Every output z[n, o, i, j] came from one window of the padded x times W[o], plus b[o]. "
        "So grad_out[n, o, i, j] adds grad_out * window to dW[o], grad_out * W[o] to that "
        "window of dx_padded, and grad_out to db[o]. Crop the padding off dx_padded at the end. "
        "dx (N, C, H, W), dW (C_out, C, k, k), db (C_out,). Read sections 10 and 11."
    ),
    reference={"conv2d_backward": ref.conv2d_backward},
    cases=conv_cases,
    run=conv_backward_run,
    mistakes=(
        Mistake(
            "the backward is a full convolution without the flipped kernel",
            "dL/dx is the full convolution of grad_out with the kernel rotated by 180 "
            "degrees: each input pixel met W[ki, kj] at the output it helped, at offset "
            "(-ki, -kj)",
            {"conv2d_backward": backward_unflipped},
        ),
        Mistake(
            "the padding is not cropped from dx",
            "dx has x's shape: drop the `padding` rows and columns of zeros' gradients",
            {"conv2d_backward": backward_uncropped},
        ),
        Mistake(
            "the bias gradient is not summed over the positions",
            "b[o] is added at every image and every position: sum grad_out over axes "
            "(0, 2, 3), giving shape (C_out,)",
            {"conv2d_backward": backward_db_per_position},
        ),
    ),
    self_check=conv_backward_self_check,
    self_check_of="digitnet's forward",
)
