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

from ..checks import integer
from ..errors import DigitnetError
from .buffers import Buffers
from .init import initializer
from .layer import Layer, OnnxGraph, Setting
from .layout import in_layout


def conv_output_size(size: int, kernel_size: int, stride: int, padding: int) -> int:
    """Output height (or width) of a convolution or pooling: (size + 2p - k) // s + 1."""
    return (size + 2 * padding - kernel_size) // stride + 1


def offset_slices(ki: int, kj: int, stride: int, H_out: int, W_out: int) -> tuple[slice, slice]:
    """The input rows and columns that kernel (or pooling window) offset (ki, kj) reads, one per
    output position: rows ki, ki + stride, ..., and columns likewise."""
    rows = slice(ki, ki + stride * (H_out - 1) + 1, stride)
    return rows, slice(kj, kj + stride * (W_out - 1) + 1, stride)


def im2col(x: np.ndarray, kernel_size: int, stride: int, out: np.ndarray) -> np.ndarray:
    """Copy every k x k patch of the (already padded) images into a column of `out`.

    For one image with one channel, x = [[a b c], [d e f], [g h i]] and k = 2, stride 1, the
    four patches become the four columns:

                  position: (0,0) (0,1) (1,0) (1,1)
        kernel (0,0) row:     a     b     d     e
        kernel (0,1) row:     b     c     e     f
        kernel (1,0) row:     d     e     g     h
        kernel (1,1) row:     e     f     h     i

    so that W_mat (C_out, C k k) @ cols gives every output position in one matrix product. Rows
    are ordered (channel, kernel row, kernel column), as PyTorch's kernel (C_out, C_in, kh, kw)
    flattens. Two memory layouts (Conv2D says when each is used):
        images first: x (N, C, H, W) -> out (N, C k k, H_out W_out), one matrix per image;
        batch last:   x (C, H, W, N) -> out (C k k, H_out W_out N), one matrix for the batch.
    """
    batch_last = out.ndim == 2
    first = 1 if batch_last else 2  # the axis of the image rows
    # windows[..., i, j, ..., ki, kj] = x[..., i + ki, j + kj, ...]: a view, nothing copied yet
    windows = sliding_window_view(x, (kernel_size, kernel_size), axis=(first, first + 1))
    if batch_last:  # (C, H_out, W_out, N, k, k) -> (C, k, k, H_out, W_out, N)
        windows = windows[:, ::stride, ::stride].transpose(0, 4, 5, 1, 2, 3)
    else:  # (N, C, H_out, W_out, k, k) -> (N, C, k, k, H_out, W_out)
        windows = windows[:, :, ::stride, ::stride].transpose(0, 1, 4, 5, 2, 3)
    np.copyto(out.reshape(windows.shape), windows)  # the one copy
    return out


def col2im(
    cols: np.ndarray, padded_shape: tuple[int, ...], kernel_size: int, stride: int, out: np.ndarray
) -> np.ndarray:
    """The adjoint of im2col: add each column of `cols` back onto the pixels of its patch, in
    `out` (padded_shape, the images' shape in the same layout as im2col's). Pixels shared by
    overlapping patches receive the sum of their gradients.

    The loop runs over the k x k kernel offsets, not over positions: each step adds one row of
    every patch (for all images, channels and positions at once) to a strided slice.
    """
    batch_last = cols.ndim == 2
    H, W = padded_shape[1:3] if batch_last else padded_shape[2:4]
    H_out = (H - kernel_size) // stride + 1
    W_out = (W - kernel_size) // stride + 1
    out.fill(0)
    if batch_last:  # (C, k, k, H_out, W_out, N) onto (C, H, W, N)
        by_offset = cols.reshape(padded_shape[0], kernel_size, kernel_size, H_out, W_out, -1)
        image = out
    else:  # (N, C, k, k, H_out, W_out) onto (N, C, H, W), as (C, k, k, H_out, W_out, N) views
        N, C = padded_shape[:2]
        by_offset = cols.reshape(N, C, kernel_size, kernel_size, H_out, W_out)
        by_offset = by_offset.transpose(1, 2, 3, 4, 5, 0)
        image = out.transpose(1, 2, 3, 0)
    for ki in range(kernel_size):
        for kj in range(kernel_size):
            rows, columns = offset_slices(ki, kj, stride, H_out, W_out)
            image[:, rows, columns] += by_offset[:, ki, kj]
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
    W is stored (C_out, C_in, k, k) and b (C_out,), as PyTorch's nn.Conv2d. In the batch-last
    layout the bias rides in the products: [W_mat b] [cols; 1] = W_mat cols + b, and
    [cols; 1] g^T = [dL/dW_mat^T; dL/db^T] (a row of ones sums g over positions).
    init: "he" (before ReLU-like units) or "glorot"; b starts at 0. Weight decay applies to W.

    Shape: x (N, C_in, H, W) -> z (N, C_out, H_out, W_out),
        H_out = (H + 2 padding - kernel_size) // stride + 1 (W_out alike).
    Where the network keeps images batch last (nn/layout.py), x is (C_in, H, W, N)
    (input_batch_last) and z is (C_out, H_out, W_out, N) (output_batch_last): the patch matrix
    is then batch last, and the layout changes cost no transpose.
    """

    type_name = "conv2d"
    decay = ("W",)
    spec_name = "conv"  # "conv OUT K [stride S] [pad P]": OUT channels, K x K kernels
    spec_numbers = (Setting("OUT", "out_channels"), Setting("K", "kernel_size"))
    spec_options = (Setting("stride", "stride"), Setting("pad", "padding"))
    spec_example = "conv 3 3 stride 2 pad 1"
    takes_images = True
    input_size_argument = "in_channels"
    takes_init = True
    converts_layout = True

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
        self.in_channels = integer("conv2d: in_channels", in_channels)
        self.out_channels = integer("conv2d: out_channels", out_channels)
        self.kernel_size = integer("conv2d: kernel_size", kernel_size)
        self.stride = integer("conv2d: stride", stride)
        self.padding = integer("conv2d: padding", padding, least=0)
        self.initializer = initializer(init)
        # im2col's layout when the plan leaves it free (patches_batch_last): images first for
        # one input channel (no transposes), batch last for more (longer contiguous copies);
        # benchmarks/cnn_profile.py shows where the time goes.
        self.batch_last = self.in_channels > 1
        self._cols: np.ndarray | None = None
        self._cols_1: np.ndarray | None = None  # batch last: cols with a row of ones below
        self._x_pad_shape: tuple[int, ...] = ()

    def build(self, rng: np.random.Generator, dtype: str) -> None:
        """Draw W (C_out, C_in, k, k) from the initialiser; b = 0."""
        k = self.kernel_size
        W = self.initializer((self.out_channels, self.in_channels, k, k), rng, dtype)
        self._set_params(W=W, b=np.zeros(self.out_channels, dtype=dtype))

    def config(self) -> dict:
        return {
            "type": self.type_name,
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
        }

    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        k, s, p = self.kernel_size, self.stride, self.padding
        weights = [graph.tensor("W", self.params["W"]), graph.tensor("b", self.params["b"])]
        return graph.node(
            "Conv", [x, *weights], kernel_shape=[k, k], strides=[s, s], pads=[p, p, p, p]
        )

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        return (
            f"nn.Conv2d({self.in_channels}, {self.out_channels}, "
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding})"
        )

    def torch_state(self) -> dict[str, np.ndarray]:
        # W is stored as PyTorch's Conv2d stores it: (C_out, C_in, k, k)
        return {"weight": self.params["W"], "bias": self.params["b"]}

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

    def multiply_adds(self, input_shape: tuple[int, ...]) -> int:
        """C_out H_out W_out C_in k^2: each output value sums C_in k^2 products."""
        C_out, H_out, W_out = self.output_shape(input_shape)
        return C_out * H_out * W_out * self.in_channels * self.kernel_size**2

    @property
    def patches_batch_last(self) -> bool:
        """Whether the patch matrix is batch last: by choice (batch_last), or because images
        come in or go out batch last (the network's plan), which saves transposing them."""
        return self.batch_last or self.input_batch_last or self.output_batch_last

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if self.input_batch_last:
            C, H, W, N = x.shape
        else:
            N, C, H, W = x.shape
        C_out, H_out, W_out = self.output_shape((C, H, W))
        k, s, p = self.kernel_size, self.stride, self.padding
        space = self.buffers if training else Buffers()  # inference keeps nothing
        W_mat = self.params["W"].reshape(C_out, -1)  # (C_out, C_in k k)
        # The padded images, in the layout of the patch matrix; the zero border is written once,
        # when the buffer is made.           plain version: np.pad(x) (a new array every time)
        batch_last = self.patches_batch_last
        if batch_last:
            x_pad = space.get("x_pad", (C, H + 2 * p, W + 2 * p, N), x.dtype, fill=0)
            x_pad[:, p : p + H, p : p + W] = in_layout(x, self.input_batch_last, True)
            # The patch matrix with a last row of ones, and W_mat with b as its last column, so
            # that the product adds the bias:  [W_mat b] [cols; 1] = W_mat cols + b
            K = C * k * k
            cols_1 = space.get("cols_1", (K + 1, H_out * W_out * N), x.dtype)
            cols_1[K] = 1
            cols = im2col(x_pad, k, s, out=cols_1[:K])  # (C_in k k, L N)
            W_b = space.get("W_b", (C_out, K + 1), x.dtype)
            W_b[:, :K], W_b[:, K] = W_mat, self.params["b"]
            # z = W_mat cols + b: every position of every image at once   (C_out, L N)
            z_t = np.matmul(W_b, cols_1, out=space.get("z_t", (C_out, cols.shape[1]), x.dtype))
            z = z_t.reshape(C_out, H_out, W_out, N)  # batch last: (C_out, H_out, W_out, N)
            if not self.output_batch_last:  # images first again      (N, C_out, H_out, W_out)
                images = space.get("z", (N, C_out, H_out, W_out), x.dtype)
                np.copyto(images, z.transpose(3, 0, 1, 2))
                z = images
        else:
            x_pad = space.get("x_pad", (N, C, H + 2 * p, W + 2 * p), x.dtype, fill=0)
            x_pad[:, :, p : p + H, p : p + W] = x
            cols = space.get("cols", (N, C * k * k, H_out * W_out), x.dtype)
            im2col(x_pad, k, s, out=cols)  # (N, C_in k k, L)
            # z_n = W_mat cols_n + b for each image n                       (N, C_out, L)
            z = np.matmul(W_mat, cols, out=space.get("z", (N, C_out, H_out * W_out), x.dtype))
            z += self.params["b"][:, None]
            z = z.reshape(N, C_out, H_out, W_out)
        if training:
            self._cols, self._x_pad_shape = cols, x_pad.shape
            self._cols_1 = cols_1 if batch_last else None
        return z

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        cols = self._cols
        assert cols is not None, "backward before a training-mode forward"
        if self.output_batch_last:
            C_out, H_out, W_out, N = grad_out.shape
        else:
            N, C_out, H_out, W_out = grad_out.shape
        W_mat = self.params["W"].reshape(C_out, -1)
        dW_mat = self.grads["W"].reshape(C_out, -1)
        batch_last = self._cols_1 is not None  # the forward's patch layout
        if batch_last:
            # g = dL/dz, batch last as cols                               (C_out, L N)
            if self.output_batch_last:
                g: np.ndarray = np.ascontiguousarray(grad_out).reshape(C_out, -1)
            else:
                g = self.buffers.get("g", (C_out, H_out, W_out, N), grad_out.dtype)
                np.copyto(g, grad_out.transpose(1, 2, 3, 0))
                g = g.reshape(C_out, -1)
            # [dL/dW_mat dL/db]^T = [cols; 1] g^T: each patch weighted by its gradient, and
            # (the row of ones) the sum of g over images and positions   (C_in k k + 1, C_out)
            # (plain: dW_mat = g cols^T, db = g.sum(axis=1); this order runs faster in BLAS)
            cols_1 = self._cols_1
            assert cols_1 is not None  # kept by the training forward, with cols
            dW_b = self.buffers.get("dW_b", (cols_1.shape[0], C_out), g.dtype)
            np.matmul(cols_1, g.T, out=dW_b)
            np.copyto(dW_mat, dW_b[:-1].T)
            np.copyto(self.grads["b"], dW_b[-1])
        else:
            g = grad_out.reshape(N, C_out, -1)  # (N, C_out, L)
            # dL/db[o] = sum over images and positions of g            (C_out,)
            np.sum(g, axis=(0, 2), out=self.grads["b"])
            # dL/dW_mat = sum_n g_n cols_n^T                              (C_out, C_in k k)
            per_image = self.buffers.get("dW_n", (N, *dW_mat.shape), g.dtype)
            np.sum(np.matmul(g, cols.transpose(0, 2, 1), out=per_image), axis=0, out=dW_mat)
        if not self.needs_input_grad:
            return None  # the input is the data: nobody needs its gradient
        # dL/dcols = W_mat^T g, then dL/dx_pad = col2im(dL/dcols)   (cols' and x_pad's shapes)
        dcols = np.matmul(W_mat.T, g, out=self.buffers.get("dcols", cols.shape, g.dtype))
        x_pad_shape = self._x_pad_shape
        dx_pad = self.buffers.get("dx_pad", x_pad_shape, g.dtype)
        col2im(dcols, x_pad_shape, self.kernel_size, self.stride, out=dx_pad)
        # cut the padding off, in the input's layout        (N, C_in, H, W) or (C_in, H, W, N)
        p = self.padding
        if batch_last and not self.input_batch_last:
            dx_pad = dx_pad.transpose(3, 0, 1, 2)  # images first again
        if self.input_batch_last:
            inner = dx_pad[:, p : dx_pad.shape[1] - p, p : dx_pad.shape[2] - p]
        else:
            inner = dx_pad[:, :, p : dx_pad.shape[2] - p, p : dx_pad.shape[3] - p]
        dx = self.buffers.get("dx", inner.shape, g.dtype)
        np.copyto(dx, inner)
        return dx
