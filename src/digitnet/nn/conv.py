"""The 2-D convolution layer, computed as one matrix product over image patches (im2col).

A convolution slides a small kernel over the image and takes a dot product at every position.
Written with loops (nn/reference_conv.py) that is six nested loops; here the patches are first
copied side by side into a matrix (im2col), so that every position's dot product is one entry of
a single matrix product, which BLAS computes fast. Backward multiplies by the same patch matrix
and scatters the patch gradients back into image positions (col2im).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import DigitnetError
from .buffers import Buffers
from .init import initializer
from .layer import Layer


def conv_output_size(size: int, kernel_size: int, stride: int, padding: int) -> int:
    """Output height (or width) of a convolution or pooling: (size + 2p - k) // s + 1."""
    return (size + 2 * padding - kernel_size) // stride + 1


def im2col(x_t: np.ndarray, kernel_size: int, stride: int, out: np.ndarray) -> np.ndarray:
    """Copy every k x k patch of the (already padded) images x_t (C, H, W, N), batch last, into
    a column of `out` (C k k, H_out W_out N), and return it.

    For one image with one channel, x = [[a b c], [d e f], [g h i]] and k = 2, stride 1, the
    four patches become the four columns:

                  position: (0,0) (0,1) (1,0) (1,1)
        kernel (0,0) row:     a     b     d     e
        kernel (0,1) row:     b     c     e     f
        kernel (1,0) row:     d     e     g     h
        kernel (1,1) row:     e     f     h     i

    so that W (C_out, C k k) @ cols gives every output position of every image in one matrix
    product. Rows are ordered (channel, kernel row, kernel column), as PyTorch's kernel
    (C_out, C_in, kh, kw) flattens; columns by (output row, output column, image).
    Why batch last: each row of `out` is then, for every output row, a run of W_out N numbers
    that lie side by side in x_t too, so the copy moves long contiguous runs. (Measured on 2
    cores for a batch of 128 images of 16 channels 14 x 14 and 5 x 5 kernels, forward and
    backward: 30 ms with batch last, 48 ms with images first (N, C, H, W), whose runs are only
    W_out = 14 numbers long.)
    """
    C = x_t.shape[0]
    # windows[c, i, j, n, ki, kj] = x_t[c, i + ki, j + kj, n]: a view, nothing is copied yet
    windows = sliding_window_view(x_t, (kernel_size, kernel_size), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]  # (C, H_out, W_out, N, k, k)
    H_out, W_out, N = windows.shape[1:4]
    # the one copy: out[(c, ki, kj), (i, j, n)] = windows[c, i, j, n, ki, kj]
    by_patch_row = out.reshape(C, kernel_size, kernel_size, H_out, W_out, N)
    np.copyto(by_patch_row, windows.transpose(0, 4, 5, 1, 2, 3))
    return out


def col2im(
    cols: np.ndarray, padded_shape: tuple[int, ...], kernel_size: int, stride: int, out: np.ndarray
) -> np.ndarray:
    """The adjoint of im2col: add each column of `cols` (C k k, H_out W_out N) back onto the
    pixels of its patch, in `out` (padded_shape (C, H, W, N), batch last). Pixels shared by
    overlapping patches receive the sum of their gradients.

    The loop runs over the k x k kernel offsets, not over positions: each step adds one row of
    every patch (for all images, channels and positions at once) to a strided slice.
    """
    C, H, W, N = padded_shape
    H_out = (H - kernel_size) // stride + 1
    W_out = (W - kernel_size) // stride + 1
    by_offset = cols.reshape(C, kernel_size, kernel_size, H_out, W_out, N)
    out.fill(0)
    for ki in range(kernel_size):
        for kj in range(kernel_size):
            rows = slice(ki, ki + stride * (H_out - 1) + 1, stride)
            columns = slice(kj, kj + stride * (W_out - 1) + 1, stride)
            out[:, rows, columns] += by_offset[:, ki, kj]
    return out


class Conv2D(Layer):
    """2-D convolution (a cross-correlation, as in every deep-learning library):

        z[n, o, i, j] = b[o] + sum_{c, ki, kj} W[o, c, ki, kj] * x_pad[n, c, s i + ki, s j + kj]

    with x_pad the input with `padding` zeros on every side and s the stride. As matrices, with
    cols = im2col(x_pad) (C_in k k, L N): a column per output position (L = H_out W_out of
    them) of every image, and g = dL/dz laid out the same way (C_out, L N):

        z = W_mat cols + b                          W_mat = W reshaped (C_out, C_in k k)
        dL/dW_mat = g cols^T                        (a correlation of the input with g)
        dL/db[o]  = sum over n, i, j of g[n, o, i, j]
        dL/dcols = W_mat^T g, then col2im           (a full convolution of g with the
                                                     flipped kernel: docs/backprop.md)
    W is stored (C_out, C_in, k, k) and b (C_out,), as PyTorch's nn.Conv2d.
    init: "he" (before ReLU-like units) or "glorot"; b starts at 0. Weight decay applies to W.

    Shape: x (N, C_in, H, W) -> z (N, C_out, H_out, W_out),
        H_out = (H + 2 padding - kernel_size) // stride + 1 (W_out alike).
    """

    type_name = "conv2d"
    decay = ("W",)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        init: str = "he",
    ) -> None:
        super().__init__()
        for name, value, least in (
            ("in_channels", in_channels, 1),
            ("out_channels", out_channels, 1),
            ("kernel_size", kernel_size, 1),
            ("stride", stride, 1),
            ("padding", padding, 0),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, np.integer))
                or value < least
            ):
                raise DigitnetError(f"conv2d: {name} must be an integer >= {least}, got {value!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size, self.stride, self.padding = int(kernel_size), int(stride), int(padding)
        self.initializer = initializer(init)
        self._cols: np.ndarray | None = None

    def build(self, rng: np.random.Generator, dtype: str) -> None:
        """Draw W (C_out, C_in, k, k) from the initialiser; b = 0."""
        k = self.kernel_size
        W = self.initializer((self.out_channels, self.in_channels, k, k), rng, dtype)
        self.params = {"W": W, "b": np.zeros(self.out_channels, dtype=dtype)}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros(self.out_channels, dtype=dtype)}

    def config(self) -> dict:
        return {
            "type": self.type_name,
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
        }

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        shape = tuple(input_shape)
        if len(shape) != 3 or shape[0] != self.in_channels:
            raise DigitnetError(
                f"conv2d of {self.in_channels} input channels needs images "
                f"({self.in_channels}, H, W), got input of shape {shape}"
            )
        k, s, p = self.kernel_size, self.stride, self.padding
        H_out, W_out = (conv_output_size(n, k, s, p) for n in shape[1:])
        if H_out < 1 or W_out < 1:
            raise DigitnetError(
                f"conv2d kernel {k} (padding {p}) is larger than its input {shape[1]}x{shape[2]}"
            )
        return (self.out_channels, H_out, W_out)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        N, C, H, W = x.shape
        C_out, H_out, W_out = self.output_shape(x.shape[1:])
        k, s, p = self.kernel_size, self.stride, self.padding
        space = self.buffers if training else Buffers()  # inference keeps nothing
        # the padded images, batch last (im2col says why); the zero border is written once,
        # when the buffer is made          plain version: np.pad(x).transpose(1, 2, 3, 0)
        x_t = space.get("x_t", (C, H + 2 * p, W + 2 * p, N), x.dtype, fill=0)
        x_t[:, p : p + H, p : p + W] = x.transpose(1, 2, 3, 0)
        cols = space.get("cols", (C * k * k, H_out * W_out * N), x.dtype)
        im2col(x_t, k, s, out=cols)  # (C_in k k, L N)
        W_mat = self.params["W"].reshape(C_out, -1)  # (C_out, C_in k k)
        z_t = np.matmul(W_mat, cols, out=space.get("z_t", (C_out, cols.shape[1]), x.dtype))
        z_t += self.params["b"][:, None]  # (C_out, L N): every position of every image
        if training:
            self._cols, self._x_shape = cols, x.shape
        z = space.get("z", (N, C_out, H_out, W_out), x.dtype)
        np.copyto(z, z_t.reshape(C_out, H_out, W_out, N).transpose(3, 0, 1, 2))
        return z

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        cols = self._cols
        assert cols is not None, "backward before a training-mode forward"
        N, C_out, H_out, W_out = grad_out.shape
        # g, batch last as cols: (C_out, H_out, W_out, N) -> (C_out, L N)
        g = self.buffers.get("g_t", (C_out, H_out, W_out, N), grad_out.dtype)
        np.copyto(g, grad_out.transpose(1, 2, 3, 0))
        g = g.reshape(C_out, -1)
        # dL/db[o] = sum over images and positions of g        (C_out,)
        np.sum(g, axis=1, out=self.grads["b"])
        # dL/dW_mat = g cols^T: each patch weighted by its gradient   (C_out, C_in k k)
        np.matmul(g, cols.T, out=self.grads["W"].reshape(C_out, -1))
        if not self.needs_input_grad:
            return None  # the input is the data: nobody needs its gradient
        # dL/dcols = W_mat^T g                                   (C_in k k, L N)
        W_mat = self.params["W"].reshape(C_out, -1)
        dcols = np.matmul(W_mat.T, g, out=self.buffers.get("dcols", cols.shape, g.dtype))
        # dL/dx_t = col2im(dL/dcols)                              (C_in, H + 2p, W + 2p, N)
        N, C, H, W = self._x_shape
        p = self.padding
        padded = (C, H + 2 * p, W + 2 * p, N)
        dx_t = col2im(
            dcols, padded, self.kernel_size, self.stride,
            out=self.buffers.get("dx_t", padded, g.dtype),
        )  # fmt: skip
        # cut the padding off, images first again                 (N, C_in, H, W)
        dx = self.buffers.get("dx", self._x_shape, g.dtype)
        np.copyto(dx, dx_t[:, p : p + H, p : p + W].transpose(3, 0, 1, 2))
        return dx
