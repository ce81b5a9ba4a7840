"""Pooling layers: max-pooling over small windows, and the average over the whole feature map.

Max-pooling keeps the largest value of each window, so a feature found anywhere in the window
counts, which makes the network tolerant of small shifts. It has no parameters; its gradient
goes, whole, to the one input that was the maximum (the first one, when several are equal).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..checks import integer
from ..errors import DigitnetError
from .conv import conv_output_size, offset_slices
from .layer import Layer, OnnxGraph, Setting
from .layout import images_first, in_layout


def window_max(windows: np.ndarray, with_argmax: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """The maximum of each k x k window of `windows` (..., k, k), and, with_argmax, the offset
    ki k + kj of its first maximum: windows.max(axis=(-2, -1)) and the matching argmax.

    Computed as a running maximum over the k k offsets, one whole-array comparison per offset,
    instead of a reduction over each window's k k values (a reduction over two short, strided
    axes is many times slower in NumPy). The argmax runs alongside: only a value strictly larger
    than the running maximum moves it, so ties keep the first offset, as np.argmax does; and
    since the offsets only grow, max(argmax, index [value > maximum]) records each move. It is
    kept in the smallest unsigned type that holds k k - 1 (uint8 up to 16 x 16 windows).
    """
    k = windows.shape[-1]
    y = np.copy(windows[..., 0, 0], order="K")  # the running maximum, in windows' memory order
    where = np.zeros_like(y, np.min_scalar_type(k * k - 1)) if with_argmax else None
    for index in range(1, k * k):
        values = windows[..., index // k, index % k]
        if where is not None:
            np.maximum(where, np.greater(values, y) * where.dtype.type(index), out=where)
        np.maximum(y, values, out=y)
    return y, where


class MaxPool2D(Layer):
    """Max-pooling over k x k windows moved by `stride` (default k: windows side by side):

        y[n, c, i, j] = max over ki, kj < k of x[n, c, s i + ki, s j + kj]
        dL/dx[n, c, s i + ki, s j + kj] += g[n, c, i, j]   for the (first) maximum (ki, kj) only

    Both passes loop over the k k offsets inside a window, never over positions. Fast path,
    when the windows tile the image (stride = k, and k divides H and W): reshaping x to
    (N, C, H/k, k, W/k, k) puts each window on two axes without copying, and the gradient is
    written back through the same view of dx. General case: the windows are a
    sliding_window_view (they may overlap), and each offset's gradient is added back.
    No padding; H_out = (H - k) // stride + 1, as PyTorch's nn.MaxPool2d.

    Shape: x (N, C, H, W) -> y (N, C, H_out, W_out); where the network keeps images batch last
    (nn/layout.py), x is (C, H, W, N) (input_batch_last) and y (C, H_out, W_out, N)
    (output_batch_last).
    """

    type_name = "maxpool2d"
    converts_layout = True
    spec_name = "maxpool"  # "maxpool K [stride S]": K x K windows, stride K unless given
    spec_numbers = (Setting("K", "kernel_size"),)
    spec_options = (Setting("stride", "stride"),)
    spec_example = "maxpool 2"
    takes_images = True

    def __init__(self, kernel_size: int = 2, stride: int | None = None) -> None:
        super().__init__()
        self.kernel_size = integer("maxpool2d: kernel_size", kernel_size)
        self.stride = integer("maxpool2d: stride", kernel_size if stride is None else stride)

    def config(self) -> dict:
        return {"type": self.type_name, "kernel_size": self.kernel_size, "stride": self.stride}

    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        k, s = self.kernel_size, self.stride
        return graph.node("MaxPool", [x], kernel_shape=[k, k], strides=[s, s])

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        return f"nn.MaxPool2d({self.kernel_size}, stride={self.stride})"

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        shape = tuple(input_shape)
        if len(shape) != 3:
            raise DigitnetError(f"maxpool2d needs images (C, H, W), got input of shape {shape}")
        H_out, W_out = (conv_output_size(n, self.kernel_size, self.stride, 0) for n in shape[1:])
        if H_out < 1 or W_out < 1:
            raise DigitnetError(
                f"maxpool2d window {self.kernel_size} is larger than its input "
                f"{shape[1]}x{shape[2]}"
            )
        return (shape[0], H_out, W_out)

    def tiles(self, shape: tuple[int, ...]) -> bool:
        """Whether the windows tile images of this shape (N, C, H, W) exactly (the fast path)."""
        k = self.kernel_size
        return self.stride == k and shape[2] % k == 0 and shape[3] % k == 0

    def _by_offset(self, x: np.ndarray) -> np.ndarray:
        """A view (N, C, H_out, W_out, k, k) of x (N, C, H, W): [..., ki, kj] is each window's
        value at offset (ki, kj). Nothing is copied."""
        N, C, H, W = x.shape
        k, s = self.kernel_size, self.stride
        if self.tiles(x.shape):
            # the windows tile x: (N, C, H/k, k, W/k, k) puts each window on axes 3 and 5
            return x.reshape(N, C, H // k, k, W // k, k).transpose(0, 1, 2, 4, 3, 5)
        return sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        # Batch-last images are viewed as (N, C, H, W) (no copy): the loops below run over the
        # whole array at once, in its memory order, whichever layout it has.
        x = images_first(x, self.input_batch_last)
        # y = the maximum of each window; training also keeps the offset that held it
        y, where = window_max(self._by_offset(x), with_argmax=training)  # (N, C, H_out, W_out)
        if training:
            self._where, self._x_shape = where, x.shape
        return np.ascontiguousarray(in_layout(y, False, self.output_batch_last))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        k, s = self.kernel_size, self.stride
        # g in the input's memory order, as the maximum's offsets are (a copy only where the
        # layout changes here): element-wise loops over operands of one order run contiguous
        g_in_order = in_layout(grad_out, self.output_batch_last, self.input_batch_last)
        if self.input_batch_last != self.output_batch_last:
            g_in_order = np.ascontiguousarray(g_in_order)
        grad_out = images_first(g_in_order, self.input_batch_last)  # a view (N, C, H_out, W_out)
        dx = self._empty_like_input(grad_out.dtype)  # (N, C, H, W), in the input's layout
        if self.tiles(self._x_shape):
            # every pixel is in exactly one window: write g or 0 through dx's window view
            d_windows = self._by_offset(dx)
            for index in range(k * k):
                ki, kj = divmod(index, k)
                # dL/dx = g at the window's maximum, else 0          (N, C, H_out, W_out)
                np.multiply(grad_out, self._where == index, out=d_windows[..., ki, kj])
            return in_layout(dx, False, self.input_batch_last)
        # overlapping windows: a pixel may be the maximum of several; their gradients add
        H_out, W_out = grad_out.shape[2:]
        dx.fill(0)
        for index in range(k * k):
            ki, kj = divmod(index, k)
            rows, columns = offset_slices(ki, kj, s, H_out, W_out)
            # dL/dx += g where this offset held the maximum         (N, C, H_out, W_out)
            dx[:, :, rows, columns] += grad_out * (self._where == index)
        return in_layout(dx, False, self.input_batch_last)

    def _empty_like_input(self, dtype: np.dtype) -> np.ndarray:
        """A new array for dL/dx, in the input's memory layout, viewed as (N, C, H, W)."""
        N, C, H, W = self._x_shape
        if self.input_batch_last:
            return np.empty((C, H, W, N), dtype).transpose(3, 0, 1, 2)
        return np.empty((N, C, H, W), dtype)


class GlobalAvgPool(Layer):
    """The mean of each feature map: one number per channel.

        y[n, c] = (1 / (H W)) sum_{i, j} x[n, c, i, j];   dL/dx[n, c, i, j] = g[n, c] / (H W)

    Shape: x (N, C, H, W) -> y (N, C).
    """

    type_name = "global_avgpool"
    spec_name = "global_avgpool"
    takes_images = True

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        shape = tuple(input_shape)
        if len(shape) != 3:
            raise DigitnetError(
                f"global_avgpool needs images (C, H, W), got input of shape {shape}"
            )
        return (shape[0],)

    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        # ONNX keeps the pooled axes, (N, C, 1, 1): flattened to digitnet's (N, C)
        return graph.node("Flatten", [graph.node("GlobalAveragePool", [x])], axis=1)

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        return "nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x_shape = x.shape
        return x.mean(axis=(2, 3))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        N, C, H, W = self._x_shape
        # dL/dx = g / (H W), the same for every pixel of a map      (N, C, H, W)
        return np.broadcast_to(grad_out[:, :, None, None] / (H * W), self._x_shape).copy()
