"""Data parallelism across threads: each thread takes its share of the batch through its own
copy of the layers, and the gradients are added, as data parallelism does across devices.

    thread k = 0 .. T-1:  rows_k of the batch -> forward -> loss -> backward -> grads_k
    grads = grads_0 + grads_1 + ... + grads_(T-1)          the whole batch's gradient

The loss divides by the whole batch's N in every thread, so the sum is the gradient of the
batch mean, as one thread computes it (to float rounding: the same products, added in another
order). A copy shares the network's parameters (read-only during the step) and its running
statistics, and owns its gradients and its buffers (Buffers). Batch norm's copies add their
per-channel sums across the threads (threads.AllReduce), so they normalise over the whole batch;
dropout's masks are drawn for the whole batch on the calling thread, from the network's
generator, and each thread takes its rows: the random numbers are those of one thread.
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections.abc import Callable
from typing import Protocol

import numpy as np

from .batchnorm import BatchNorm, BatchShare
from .buffers import Buffers
from .conv import Conv2D
from .dropout import Dropout
from .layer import Layer
from .layers import OWN_TYPES
from .losses import SoftmaxCrossEntropy
from .packing import ParameterBlock
from .passes import backward_pass, forward_pass
from .threads import AllReduce, WorkerPool

# (params, grads, decay), as ParameterBlock.groups gives them: what an optimizer step updates
ParameterGroups = tuple[list[np.ndarray], list[np.ndarray], list[bool]]


class Optimizer(Protocol):
    """What a step asks of an optimizer (digitnet.optim.base.Optimizer has it)."""

    @property
    def updates_in_parts(self) -> bool: ...

    def step(self, params: list, grads: list, decay: list | None = None) -> None: ...
    def begin_step(self, params: list) -> None: ...
    def update(self, i: int, p: np.ndarray, g: np.ndarray, decayed: bool, part: slice) -> None: ...


# A thread's share of a step must hold this many multiply-adds (forward) to pay for handing it
# over: below it, one thread runs the step.
MIN_SHARE_WORK = 10_000_000


def splits_batches(layers: list[Layer]) -> bool:
    """Whether a multi-threaded step may run these layers: only digitnet's own (a layer of
    someone else's may keep state that its copies would not share)."""
    return all(type(layer) in OWN_TYPES for layer in layers)


def row_shares(n: int, parts: int) -> list[slice]:
    """`parts` consecutive slices of range(n), their sizes as equal as can be (larger first)."""
    sizes = [n // parts + (k < n % parts) for k in range(parts)]
    starts = np.cumsum([0, *sizes])
    return [slice(int(a), int(b)) for a, b in zip(starts[:-1], starts[1:])]


class DataParallel:
    """The layers of a network as T copies, one per thread, and the steps that use them.

    Copy 0 is the network's own layers, with their gradients in network.block.grads; copy k > 0
    has its own flat gradient array, laid out as the block's.
    """

    def __init__(
        self,
        layers: list[Layer],
        block: ParameterBlock,
        loss: SoftmaxCrossEntropy,
        input_shape: tuple[int, ...],
        threads: int,
    ) -> None:
        """A network's layers, their parameter block, its loss and one example's shape."""
        assert threads > 1 and splits_batches(layers)
        self.threads, self.block = threads, block
        self.copies = [layers] + [
            [_copy_layer(layer) for layer in layers] for _ in range(threads - 1)
        ]
        self.extra_grads = [np.zeros_like(block.grads) for _ in range(threads - 1)]
        for copies, flat in zip(self.copies[1:], self.extra_grads):
            block.point_grads(layers, copies, flat)
        self.losses = [loss] + [SoftmaxCrossEntropy() for _ in range(threads - 1)]
        self.input_shapes = [input_shape]  # of one example, at each layer
        for layer in layers[:-1]:
            self.input_shapes.append(layer.output_shape(self.input_shapes[-1]))
        # Dense layers alone are all matrix products, which the BLAS's own threads spread better
        # than ours (benchmarks/threads_bench.py: the reference MLP at any batch size up to 512);
        # convolutions add im2col, col2im and pooling, which BLAS does not spread at all.
        self.convolves = any(isinstance(layer, Conv2D) for layer in layers)
        self.work_per_example = sum(
            layer.multiply_adds(shape) for layer, shape in zip(layers, self.input_shapes)
        )
        self.norms = [i for i, layer in enumerate(layers) if isinstance(layer, BatchNorm)]
        self._sums: dict[int, list[AllReduce]] = {}  # per number of threads: one per batch norm
        self._gates: dict[int, threading.Barrier] = {}  # per number of threads
        self.pool = WorkerPool(threads - 1)
        weakref.finalize(self, self.pool.close)

    def close(self) -> None:
        """Stop the pool's threads."""
        self.pool.close()

    def threads_for(self, batch_size: int) -> int:
        """The threads that share a batch of `batch_size` examples: with convolutions, as many
        as have MIN_SHARE_WORK multiply-adds each, at most self.threads; else one."""
        if not self.convolves:
            return 1
        enough = batch_size * self.work_per_example // max(MIN_SHARE_WORK, 1)
        return max(1, min(self.threads, batch_size, enough))

    def _share_norms(self, parts: int) -> list[AllReduce]:
        """Give each thread's batch norms their part in the sums of a step on `parts` threads."""
        if parts == 1:
            return []  # alone, a batch norm sums by itself
        if parts not in self._sums:
            self._sums[parts] = [AllReduce(parts) for _ in self.norms]
        sums = self._sums[parts]
        for position, total in zip(self.norms, sums):
            total.reset()
            for k in range(parts):
                self.copies[k][position].share = BatchShare(total, k)  # type: ignore[attr-defined]
        return sums

    def _unshare_norms(self) -> None:
        """Outside a multi-threaded step, the network's own batch norms work alone."""
        for position in self.norms:
            self.copies[0][position].share = None  # type: ignore[attr-defined]

    def train_step(
        self,
        x: np.ndarray,
        labels: np.ndarray,
        activations: list | None = None,
        optimizer: Optimizer | None = None,
        groups: ParameterGroups | None = None,
    ) -> tuple[np.ndarray, float]:
        """Forward, loss and backward of the batch across the threads; the threads' gradients
        added into the block's grads; then, with an optimizer, its step on `groups` (the block's
        (params, grads, decay)): each thread adds and updates its part of every flat array, if
        the optimizer updates in parts. Returns the logits (a new array) and the mean loss;
        `activations` receives thread 0's (its rows of the batch)."""
        N = len(x)
        rows = row_shares(N, self.threads_for(N))
        parts = len(rows)
        self._give_masks(x, rows)
        sums = self._share_norms(parts)
        for total in sums:
            total.rows = N
        in_parts = None  # (optimizer, groups) if the threads update the weights
        if optimizer is not None and groups is not None and optimizer.updates_in_parts:
            in_parts = (optimizer, groups)
            optimizer.begin_step(groups[0])
        gate = self._gate(parts)
        waiting: list[AllReduce | threading.Barrier] = [*sums, gate]
        logits: list[np.ndarray] = [np.empty(0)] * parts
        losses = [0.0] * parts

        def share(k: int) -> Callable[[], None]:
            def run() -> None:
                try:
                    seen = activations if k == 0 else None
                    out = forward_pass(self.copies[k], x[rows[k]], True, seen)
                    loss = self.losses[k]
                    losses[k] = loss.forward(out, labels[rows[k]])
                    logits[k] = out
                    backward_pass(self.copies[k], loss.backward(batch_size=N))
                    if in_parts is not None:
                        gate.wait()  # every thread's gradients are in
                        self._add_and_update(k, parts, *in_parts)
                except BaseException:
                    for barrier in waiting:  # wake the threads that wait for this one
                        barrier.abort()
                    raise

            return run

        try:
            self.pool.run([share(k) for k in range(parts)])
        finally:
            self._unshare_norms()
            self._take_back_masks()
        if in_parts is None:
            for flat in self.extra_grads[: parts - 1]:  # dL/dtheta: the threads' gradients added
                self.block.grads += flat
            if optimizer is not None and groups is not None:
                optimizer.step(*groups)
        loss = sum(value * (r.stop - r.start) for value, r in zip(losses, rows)) / N
        return np.concatenate(logits), float(loss)

    def _gate(self, parts: int) -> threading.Barrier:
        """The barrier where `parts` threads wait for each other's gradients (made once)."""
        if parts not in self._gates:
            self._gates[parts] = threading.Barrier(parts)
        gate = self._gates[parts]
        if gate.broken:
            gate.reset()
        return gate

    def _add_and_update(
        self, k: int, parts: int, optimizer: Optimizer, groups: ParameterGroups
    ) -> None:
        """Thread k's part of the step's end: in its slice of each flat array, the threads'
        gradients added (in thread order), then the optimizer's update there."""
        params, grads, decay = groups
        split = len(params) == 2
        others = [self.block.cut(flat, split) for flat in self.extra_grads[: parts - 1]]
        for i, (p, g) in enumerate(zip(params, grads)):
            part = row_shares(len(p), parts)[k]
            for other in others:
                g[part] += other[i][part]  # dL/dtheta = the threads' gradients added
            optimizer.update(i, p, g, decay[i], part)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Evaluation-mode logits of x, each thread computing its rows."""
        rows = row_shares(len(x), self.threads_for(len(x)))
        logits: list[np.ndarray] = [np.empty(0)] * len(rows)

        def share(k: int) -> Callable[[], None]:
            def run() -> None:
                logits[k] = forward_pass(self.copies[k], x[rows[k]], False)

            return run

        self.pool.run([share(k) for k in range(len(rows))])
        return np.concatenate(logits)

    def _take_back_masks(self) -> None:
        """Forget masks a failed step did not use: the next forward draws its own."""
        for copies in self.copies:
            for layer in copies:
                if isinstance(layer, Dropout):
                    layer.given_mask = None

    def _give_masks(self, x: np.ndarray, rows: list[slice]) -> None:
        """Draw every dropout layer's masks for the whole batch, as one thread would, and give
        each thread's copy its rows."""
        for position, layer in enumerate(self.copies[0]):
            if isinstance(layer, Dropout) and layer.rate > 0:
                masks = layer.draw_masks((len(x), *self.input_shapes[position]), x.dtype)
                for copies, share in zip(self.copies, rows):
                    copies[position].given_mask = masks[share]  # type: ignore[attr-defined]


def _copy_layer(layer: Layer) -> Layer:
    """A layer that computes as `layer`, with the class's forward and backward, on the same
    parameters and running statistics, with buffers of its own (its grads are pointed at their
    own array by ParameterBlock.point_grads)."""
    twin = copy.copy(layer)  # shares params and state: the same arrays
    for method in ("forward", "backward"):  # an instance's own (a profiler's timer, say) would
        vars(twin).pop(method, None)  # run `layer` itself: the copy keeps the class's
    twin.grads = dict(layer.grads)
    twin.buffers = Buffers()
    return twin
