"""Batch normalisation: each channel (or feature) rescaled to mean 0 and variance 1 over the batch,
then scaled and shifted by learned gamma and beta (Ioffe and Szegedy 2015)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..checks import integer
from ..errors import DigitnetError
from .layer import Layer, OnnxGraph
from .layout import images_first, in_layout
from .threads import AllReduce


class BatchShare(NamedTuple):
    """A batch norm's part in a multi-threaded step (nn/parallel.py): the sum its thread shares
    with the others, and the thread's index (thread 0 updates the running statistics)."""

    total: AllReduce
    thread: int


class BatchNorm(Layer):
    """Batch normalisation over axis 1 (the channels of (N, C, H, W), or the features of (N, D)):

        mu = mean of x over the batch (and positions),  var = their (biased) variance
        x_hat = (x - mu) / sqrt(var + eps),             y = gamma x_hat + beta

    Gradients, with g = dL/dy and M = the number of values averaged per channel:
        dL/dgamma = sum g x_hat,    dL/dbeta = sum g
        dL/dx = gamma / (M sqrt(var + eps)) * (M g - sum g - x_hat sum(g x_hat))
    (derived in docs/backprop.md: mu and var depend on every x of the batch).
    Training updates the running statistics used for evaluation, as PyTorch does:
        running_mean = (1 - momentum) running_mean + momentum mu
        running_var  = (1 - momentum) running_var + momentum var M / (M - 1)   (unbiased)
    Evaluation computes y = gamma (x - running_mean) / sqrt(running_var + eps) + beta, whose
    gradient with respect to the input (for the "why" maps; backward after an evaluation forward
    computes only that) treats the running statistics as constants:
    dL/dx = g gamma / sqrt(running_var + eps).
    gamma starts at 1 and beta at 0; weight decay does not apply to them.
    In a multi-threaded step each thread holds some of the batch's rows: the sums over the batch
    (of x, of (x - mu)^2, of g and of g x_hat) add every thread's part (`share`), so each
    normalises over the whole batch, as one thread does.

    Shape: x (N, C, H, W) or (N, C) -> the same; where the network keeps images batch last
    (nn/layout.py), (C, H, W, N) -> the same, computed on an (N, C, H, W) view of it.
    """

    type_name = "batchnorm"
    trains_differently = True
    follows_layout = True
    spec_name = "batchnorm"  # over the channels (or features) of the layer before
    input_size_argument = "num_features"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.num_features = integer("batchnorm: num_features", num_features)
        if not 0 < eps < 1 or not 0 <= momentum <= 1:
            raise DigitnetError(
                f"batchnorm: needs 0 < eps < 1 and momentum in [0, 1], got {eps}, {momentum}"
            )
        self.eps, self.momentum = float(eps), float(momentum)
        self.share: BatchShare | None = None  # set for a multi-threaded step

    def build(self, rng: np.random.Generator, dtype: str) -> None:
        """gamma = 1, beta = 0; running mean 0 and variance 1."""
        C = self.num_features
        self._set_params(gamma=np.ones(C, dtype), beta=np.zeros(C, dtype))
        self.state = {"running_mean": np.zeros(C, dtype), "running_var": np.ones(C, dtype)}

    def config(self) -> dict:
        return {
            "type": self.type_name,
            "num_features": self.num_features,
            "eps": self.eps,
            "momentum": self.momentum,
        }

    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        # evaluation's y = gamma (x - running_mean) / sqrt(running_var + eps) + beta
        names = [
            graph.tensor(name, array)
            for name, array in (*self.params.items(), *self.state.items())
        ]  # gamma, beta, running_mean, running_var: ONNX's scale, B, input_mean, input_var
        # ONNX's momentum is the share of the old running statistics kept: 1 - digitnet's
        momentum = 1.0 - self.momentum
        return graph.node("BatchNormalization", [x, *names], epsilon=self.eps, momentum=momentum)

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        kind = "nn.BatchNorm2d" if len(input_shape) == 3 else "nn.BatchNorm1d"
        return f"{kind}({self.num_features}, eps={self.eps}, momentum={self.momentum})"

    def torch_state(self) -> dict[str, np.ndarray]:
        # digitnet does not count the batches seen; PyTorch reads the count only when its
        # momentum is None (a cumulative average), never for this layer's fixed momentum
        return {
            "weight": self.params["gamma"],
            "bias": self.params["beta"],
            "running_mean": self.state["running_mean"],
            "running_var": self.state["running_var"],
            "num_batches_tracked": np.array(0, dtype=np.int64),
        }

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        shape = tuple(input_shape)
        if len(shape) not in (1, 3) or shape[0] != self.num_features:
            raise DigitnetError(
                f"batchnorm of {self.num_features} features needs input ({self.num_features},) "
                f"or ({self.num_features}, H, W), got {shape}"
            )
        return shape

    def _per_channel(self, v: np.ndarray, ndim: int) -> np.ndarray:
        """A (C,) vector shaped to broadcast along axis 1 of an ndim-dimensional batch."""
        return v.reshape(-1, *([1] * (ndim - 2)))

    def _values_per_channel(self, x: np.ndarray) -> int:
        """M: the values per channel in the whole batch (x holds this thread's rows of it)."""
        rows = len(x) if self.share is None else self.share.total.rows
        return x.size // (self.num_features * len(x)) * rows

    def _batch_sum(self, part: np.ndarray) -> np.ndarray:
        """A sum over the whole batch, from this thread's `part` of it (and the others')."""
        if self.share is None:
            return part
        return self.share.total.sum(self.share.thread, part)

    def _buffer(self, name: str, like: np.ndarray) -> np.ndarray:
        """A reused array of like's shape (N, ...), batch last in memory if this input is."""
        if like.ndim == 4 and self.input_batch_last:
            N, C, H, W = like.shape
            return self.buffers.get(name, (C, H, W, N), like.dtype).transpose(3, 0, 1, 2)
        return self.buffers.get(name, like.shape, like.dtype)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        x = images_first(x, self.input_batch_last)  # a view (N, C, H, W) of batch-last images
        axes = (0, 2, 3) if x.ndim == 4 else (0,)
        gamma = self._per_channel(self.params["gamma"], x.ndim)
        beta = self._per_channel(self.params["beta"], x.ndim)
        if not training:
            mean = self._per_channel(self.state["running_mean"], x.ndim)
            var = self._per_channel(self.state["running_var"], x.ndim)
            self._eval_scale = gamma / np.sqrt(var + x.dtype.type(self.eps))  # all backward needs
            self._training = False
            return in_layout((x - mean) * self._eval_scale + beta, False, self.output_batch_last)
        M = self._values_per_channel(x)
        if M < 2:  # the variance of one value is 0: x_hat would be 0 and every gradient too
            raise DigitnetError(
                "batchnorm needs more than one value per channel to train (a batch of one "
                "image, after a dense layer); train with larger batches"
            )
        # Into arrays reused from batch to batch (plain: x_hat = (x - mu) * inv_std; y = ...).
        x_hat, y = self._buffer("x_hat", x), self._buffer("y", x)
        mu = self._batch_sum(x.sum(axis=axes, keepdims=True)) / M
        centred = np.subtract(x, mu, out=x_hat)
        squares = np.square(centred, out=y)  # y: scratch here
        var = self._batch_sum(squares.sum(axis=axes, keepdims=True)) / M
        inv_std = 1 / np.sqrt(var + x.dtype.type(self.eps))
        x_hat *= inv_std  # in place: centred is not needed again
        if self.share is None or self.share.thread == 0:  # one thread updates them
            m = x.dtype.type(self.momentum)
            self.state["running_mean"] *= 1 - m
            self.state["running_mean"] += m * mu.ravel()
            self.state["running_var"] *= 1 - m
            self.state["running_var"] += (m * M / (M - 1)) * var.ravel()
        self._x_hat, self._inv_std, self._axes = x_hat, inv_std, axes
        self._training = True
        np.multiply(x_hat, gamma, out=y)
        y += beta  # y = gamma x_hat + beta
        return in_layout(y, False, self.output_batch_last)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad_out = images_first(grad_out, self.output_batch_last)  # a view, as in forward
        ndim = grad_out.ndim
        if not self._training:  # after an evaluation forward: only the input's gradient
            # running statistics are constants: dL/dx = g gamma / sqrt(running_var + eps)
            return in_layout(grad_out * self._eval_scale, False, self.input_batch_last)
        x_hat, axes = self._x_hat, self._axes
        M = self._values_per_channel(grad_out)
        product = self._buffer("product", grad_out)  # g x_hat, then
        # dL/dbeta = sum g;  dL/dgamma = sum g x_hat, over this thread's rows   (C,) each
        local = np.stack(
            [grad_out.sum(axis=axes), np.multiply(grad_out, x_hat, out=product).sum(axis=axes)]
        )
        self.grads["beta"][...], self.grads["gamma"][...] = local
        sum_g, sum_g_x_hat = self._batch_sum(local)  # over the whole batch    (C,) each
        # dL/dx = gamma inv_std / M * (M g - sum g - x_hat sum(g x_hat))   (N, C, H, W) or (N, C)
        scale = self._per_channel(self.params["gamma"], ndim) * self._inv_std / M
        dx = self._buffer("dx", grad_out)
        np.multiply(grad_out, grad_out.dtype.type(M), out=dx)
        dx -= self._per_channel(sum_g, ndim)
        dx -= np.multiply(x_hat, self._per_channel(sum_g_x_hat, ndim), out=product)
        dx *= scale
        return in_layout(dx, False, self.input_batch_last)
