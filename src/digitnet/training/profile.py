"""Where a training step's time goes (`digitnet train --profile`): each layer's forward and
backward, the matrix products alone, and the FLOP bound of the network on this machine.

LayerProfile is a callback that times the network's own layers while it trains: on several
threads these are thread 0's copy, which trains the first share of each batch while the others
train theirs, so its times are a thread's share of a step. The products alone are the same
matrix products (nn/work.matrix_products) on random arrays, each thread's share on its own
thread; the FLOP bound divides the step's floating-point operations by what this machine's BLAS
reaches on large products, on as many threads.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..nn.layer import Layer
from ..nn.network import Network
from ..nn.parallel import row_shares
from ..nn.spec import spec_of
from ..nn.threads import WorkerPool, one_blas_thread
from ..nn.work import matrix_products, training_flops
from .callbacks import Callback, RunState

WARMUP = 3  # batches not counted: the first ones make every buffer


@dataclass
class LayerTime:
    """One layer's median milliseconds per batch."""

    name: str
    forward: float
    backward: float


@dataclass
class Profile:
    """What --profile prints: per-layer medians, the step's, and the two yardsticks."""

    layers: list[LayerTime]
    step_ms: float  # the median wall time of a step (data, forward, backward, update)
    batches: int  # steps measured
    threads: int  # the threads that shared each step
    products_ms: float  # the step's matrix products alone
    flop_bound_ms: float  # the step's FLOP at the machine's peak
    peak_gflops: float  # that peak, on `threads` threads

    def share(self, ms: float) -> float:
        """A time per batch as a share of the step."""
        return ms / self.step_ms if self.step_ms else 0.0


class LayerProfile(Callback):
    """Times every layer's forward and backward, and each step, while a model trains."""

    def on_train_begin(self, run: RunState) -> None:
        self.model, self.batch_size = run.model, 0
        self.seconds: list[tuple[list[float], list[float]]] = [([], []) for _ in run.model.layers]
        self.steps: list[float] = []
        self._last = time.perf_counter()
        for layer, (forward, backward) in zip(run.model.layers, self.seconds):
            layer.forward = _timed(layer.forward, forward)  # type: ignore[method-assign]
            layer.backward = _timed(layer.backward, backward)  # type: ignore[method-assign]

    def on_epoch_begin(self, epoch: int) -> None:
        self._last = time.perf_counter()  # not the evaluation between epochs

    def on_batch_end(self, batch: int, logs: dict) -> None:
        now = time.perf_counter()
        self.steps.append(now - self._last)
        self._last = now
        self.batch_size = max(self.batch_size, logs["size"])

    def on_train_end(self) -> None:
        for layer in self.model.layers:
            _untimed(layer)

    def summary(self) -> Profile:
        """The medians over the steps after the warm-up, and the two yardsticks."""
        skip = WARMUP if len(self.steps) > 2 * WARMUP else 0
        layers = [
            LayerTime(spec_of(layer), _median_ms(forward, skip), _median_ms(backward, skip))
            for layer, (forward, backward) in zip(self.model.layers, self.seconds)
        ]
        threads = self.model.threads_per_step(self.batch_size)
        flops = training_flops(self.model, self.batch_size)
        peak = peak_gflops(threads)
        return Profile(
            layers,
            _median_ms(self.steps, skip),
            len(self.steps) - skip,
            threads,
            products_seconds(self.model, self.batch_size, threads) * 1e3,
            flops / (peak * 1e9) * 1e3,
            peak,
        )


def _timed(method: Callable, seconds: list[float]) -> Callable:
    """`method`, appending the seconds of each call to `seconds`."""

    def timed(*args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        result = method(*args, **kwargs)
        seconds.append(time.perf_counter() - start)
        return result

    return timed


def _untimed(layer: Layer) -> None:
    """The class's own forward and backward again."""
    for name in ("forward", "backward"):
        vars(layer).pop(name, None)


def _median_ms(seconds: list[float], skip: int) -> float:
    """The median of the calls after the first `skip`, in milliseconds (0 if none)."""
    kept = seconds[skip:] or seconds
    return statistics.median(kept) * 1e3 if kept else 0.0


def products_seconds(model: Network, batch: int, threads: int, repeats: int = 5) -> float:
    """Seconds of one step's matrix products alone: each of `threads` threads makes those of
    its share of the batch, on random arrays of the layers' shapes and layouts."""
    shares = row_shares(batch, threads)
    work = [_products_of(model, share.stop - share.start) for share in shares]
    return _best_parallel_seconds(work, repeats)


def _products_of(model: Network, batch: int) -> Callable[[], None]:
    """A function that makes one step's matrix products for `batch` examples."""
    rng = np.random.default_rng(0)
    calls = []
    for product in matrix_products(model, batch):
        m, k, n, stack = product.m, product.k, product.n, product.stack
        a = rng.random((k, m) if product.a_t else (m, k), dtype=np.float32)
        b = rng.random((n, k) if product.b_t else (k, n), dtype=np.float32)
        a, b = (a.T if product.a_t else a), (b.T if product.b_t else b)
        if stack > 1:
            b = np.stack([b] * stack)
        calls.append((a, b, np.empty((stack, m, n) if stack > 1 else (m, n), np.float32)))

    def run() -> None:
        for a, b, out in calls:
            np.matmul(a, b, out=out)

    return run


def _ignoring_result(function: Callable[[], object]) -> Callable[[], None]:
    """`function`, as a task that returns nothing."""

    def task() -> None:
        function()

    return task


def peak_gflops(threads: int, size: int = 1024, repeats: int = 5) -> float:
    """The float32 GFLOP/s of this machine's BLAS on large square products, `threads` threads
    each making its own (one BLAS thread each, as training runs)."""
    rng = np.random.default_rng(0)
    work: list[Callable[[], object]] = []
    for _ in range(threads):
        a, out = rng.random((size, size), dtype=np.float32), np.empty((size, size), np.float32)
        work.append(partial(np.matmul, a, a, out=out))
    return threads * 2 * size**3 / _best_parallel_seconds(work, repeats) / 1e9


def _best_parallel_seconds(work: Sequence[Callable[[], object]], repeats: int) -> float:
    """The best wall time of running every function of `work` at once, one a thread."""
    pool = WorkerPool(len(work) - 1)
    tasks = [_ignoring_result(f) for f in work]
    try:
        with one_blas_thread():
            pool.run(tasks)  # warm up
            best = float("inf")
            for _ in range(repeats):
                start = time.perf_counter()
                pool.run(tasks)
                best = min(best, time.perf_counter() - start)
    finally:
        pool.close()
    return best
