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
import weakref
from collections.abc import Callable

import numpy as np

from .batchnorm import BatchNorm, BatchShare
from .buffers import Buffers
from .dropout import Dropout
from .layer import Layer
from .layers import LAYER_TYPES
from .losses import SoftmaxCrossEntropy
from .packing import ParameterBlock
from .passes import backward_pass, forward_pass
from .threads import AllReduce, WorkerPool

OWN_TYPES = tuple(LAYER_TYPES.values())
# A thread's share of a step must hold this many multiply-adds (forward) to pay for handing it
# over: below it, one thread runs the step (benchmarks/threads_bench.py finds the break-even).
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
        self.work_per_example = sum(
            layer.multiply_adds(shape) for layer, shape in zip(layers, self.input_shapes)
        )
        self.norms = [i for i, layer in enumerate(layers) if isinstance(layer, BatchNorm)]
        self._sums: dict[int, list[AllReduce]] = {}  # per number of threads: one per batch norm
        self.pool = WorkerPool(threads - 1)
        weakref.finalize(self, self.pool.close)

    def close(self) -> None:
        """Stop the pool's threads."""
        self.pool.close()

    def threads_for(self, batch_size: int) -> int:
        """The threads that share a batch of `batch_size` examples: as many as have
        MIN_SHARE_WORK multiply-adds each, at most self.threads, at least one."""
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
        self, x: np.ndarray, labels: np.ndarray, activations: list | None = None
    ) -> tuple[np.ndarray, float]:
        """Forward, loss and backward of the batch across the threads, leaving the whole batch's
        gradient in the block's grads. Returns the logits (a new array) and the mean loss;
        `activations` receives thread 0's (its rows of the batch)."""
        N = len(x)
        rows = row_shares(N, self.threads_for(N))
        self._give_masks(x, rows)
        sums = self._share_norms(len(rows))
        for total in sums:
            total.rows = N
        logits: list[np.ndarray] = [np.empty(0)] * len(rows)
        losses = [0.0] * len(rows)

        def share(k: int) -> Callable[[], None]:
            def run() -> None:
                try:
                    seen = activations if k == 0 else None
                    out = forward_pass(self.copies[k], x[rows[k]], True, seen)
                    loss = self.losses[k]
                    losses[k] = loss.forward(out, labels[rows[k]])
                    logits[k] = out
                    backward_pass(self.copies[k], loss.backward(batch_size=N))
                except BaseException:
                    for total in sums:  # wake the threads that wait for this one's sums
                        total.abort()
                    raise

            return run

        try:
            self.pool.run([share(k) for k in range(len(rows))])
        finally:
            self._unshare_norms()
            self._take_back_masks()
        for flat in self.extra_grads[: len(rows) - 1]:  # dL/dtheta = the threads' gradients added
            self.block.grads += flat
        loss = sum(value * (r.stop - r.start) for value, r in zip(losses, rows)) / N
        return np.concatenate(logits), float(loss)

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
    parameters and running statistics, with buffers of its own (its grads are pointed at their own array by ParameterBlock.point_grads)."""
    twin = copy.copy(layer)  # shares params and state: the same arrays
    for method in ("forward", "backward"):  # an instance's own (a profiler's timer, say) would
        vars(twin).pop(method, None)  # run `layer` itself: the copy keeps the class's
    twin.grads = dict(layer.grads)
    twin.buffers = Buffers()
    return twin
