"""Whether splitting a step of dense layers across threads pays: the reference MLP's training
step at several batch sizes, on one thread (its products on the BLAS's 2 threads, as digitnet
runs a network without convolutions) against split across 2 threads (one BLAS thread each).

    python benchmarks/threads_bench.py                 # about 20 seconds
    python benchmarks/threads_bench.py --batches 64 128 256 512 1024 --json out.json

Prints, per batch size, the median milliseconds of a step (Adam) each way, interleaved, and the
multiply-adds of a thread's share. (nn/parallel.py splits only networks with convolutions, whose
im2col, col2im and pooling the BLAS's threads do not spread.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import numpy as np

import digitnet as dn
from digitnet.nn import parallel
from digitnet.nn.threads import blas_threads
from digitnet.training.loop import train_step


def step_ms(model: dn.Network, x: np.ndarray, y: np.ndarray, blas: int, steps: int) -> float:
    """Median milliseconds of a training step, BLAS on `blas` threads."""
    optimizer, groups = dn.Adam(1e-3), model.block.groups(False)
    times = []
    with blas_threads(blas):
        for _ in range(10):
            train_step(model, x, y, optimizer, groups)
        for _ in range(steps):
            start = time.perf_counter()
            train_step(model, x, y, optimizer, groups)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 128, 192, 256, 512])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    saved, parallel.MIN_SHARE_WORK = parallel.MIN_SHARE_WORK, 1  # split wherever asked
    one, split = dn.MLP(seed=0), dn.MLP(seed=0)
    one.threads, split.threads = 1, 2
    split.parallel.convolves = True  # split it all the same, to time it
    work = one.n_inputs * 128 + 128 * 64 + 64 * 10  # multiply-adds an image
    rows = []
    print(f"{'batch':>6} {'one thread ms':>14} {'split ms':>9} {'M multiply-adds a share':>24}")
    for batch in args.batches:
        x = rng.random((batch, 784), dtype=np.float32)
        y = rng.integers(0, 10, batch)
        alone, shared = [], []
        for _ in range(args.rounds):
            alone.append(step_ms(one, x, y, 2, args.steps))
            shared.append(step_ms(split, x, y, 1, args.steps))
        row = {"batch": batch, "one_thread_ms": statistics.median(alone),
               "split_ms": statistics.median(shared), "share_work": batch * work / 2}  # fmt: skip
        rows.append(row)
        print(
            f"{batch:>6} {row['one_thread_ms']:>14.3f} {row['split_ms']:>9.3f} "
            f"{row['share_work'] / 1e6:>24.1f}"
        )
    parallel.MIN_SHARE_WORK = saved
    if args.json:
        with open(args.json, "w") as file:
            json.dump(rows, file, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
