"""Fail (exit 1) if digitnet trains slower than the plain path it replaces, measured in one run.

    python benchmarks/check_regression.py [--epochs 3] [--repeats 2] [--cnn-steps 30]

The MLP: digitnet against the plain NumPy baseline, both training the reference network with the
same recipe and seeds, interleaved, on the bundled MNIST; median seconds per epoch. The margin is
wide (digitnet has measured about 1.5x faster here), so it catches a real regression, not noise.
The CNN: the LeNet-like network of cnn_bench.py on this machine's threads against the same
network on one thread (nn/parallel.py's split against the step it replaces), interleaved,
median seconds per step; with one core the two are the same path, and the check passes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import cnn_bench
from compare import competitors, load, race

import digitnet as dn
from digitnet.data.datasets import load_mnist
from digitnet.nn.threads import default_threads, one_blas_thread
from digitnet.training.loop import train_step

CNN_BATCH = 128


def cnn_step_seconds(steps: int, repeats: int) -> dict[int, float]:
    """Median seconds per LeNet-like training step by thread count (default and one)."""
    (X, y), _ = load_mnist("float32")
    x, labels = X[:CNN_BATCH].reshape(CNN_BATCH, 1, 28, 28), y[:CNN_BATCH]
    counts = sorted({default_threads(), 1}, reverse=True)
    seconds: dict[int, list[float]] = {threads: [] for threads in counts}
    models = {threads: cnn_bench.lenet() for threads in counts}
    with one_blas_thread():
        for _ in range(repeats + 1):  # the first round warms up (buffers, threads)
            for threads, model in models.items():
                model.threads = threads
                optimizer, groups = dn.Adam(1e-3), model.block.groups(False)
                start = time.perf_counter()
                for _ in range(steps):
                    train_step(model, x, labels, optimizer, groups)
                seconds[threads].append((time.perf_counter() - start) / steps)
    return {threads: statistics.median(times[1:]) for threads, times in seconds.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="training images (default all)")
    parser.add_argument("--cnn-steps", type=int, default=30, help="CNN steps per timing (30)")
    args = parser.parse_args(argv)
    data = load(args.limit, None)
    results = race(competitors({"digitnet", "plain"}), data, args.epochs, args.repeats)
    ours = results["digitnet"]["median_epoch_seconds"]
    baseline = results["plain NumPy"]["median_epoch_seconds"]
    mlp_ok = ours <= baseline
    print(
        f"{'OK' if mlp_ok else 'REGRESSION'}: MLP: digitnet {ours:.3f} s/epoch, plain NumPy "
        f"{baseline:.3f} s/epoch (ratio {ours / baseline:.2f})"
    )
    steps = cnn_step_seconds(args.cnn_steps, max(args.repeats, 3))
    threads = max(steps)
    cnn_ok = steps[threads] <= steps[1]
    print(
        f"{'OK' if cnn_ok else 'REGRESSION'}: CNN: {threads} threads {steps[threads] * 1e3:.1f} "
        f"ms/step, one thread {steps[1] * 1e3:.1f} ms/step (ratio {steps[threads] / steps[1]:.2f})"
    )
    return 0 if mlp_ok and cnn_ok else 1


if __name__ == "__main__":
    sys.exit(main())
