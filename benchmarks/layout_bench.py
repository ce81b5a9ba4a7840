"""The network's layout plan (src/digitnet/nn/layout.py) against images first at every layer:
training steps of the same network, taking turns, medians in ms per step of 128 images.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/layout_bench.py
    ... --net vgg-bn --threads 1 --layers      # and each layer's forward and backward

Run it with nothing else running (both cores are used).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from cnn_bench import BATCH, NETWORKS
from threadpoolctl import threadpool_limits

import digitnet as dn


def images_first(model: dn.Sequential) -> dn.Sequential:
    """The plain version: every layer takes and gives (N, C, H, W)."""
    for layer in model.layers:
        layer.input_batch_last = layer.output_batch_last = False
    return model


def step_ms(model: dn.Sequential, optimizer, X: np.ndarray, y: np.ndarray, steps: int) -> float:
    """Mean ms of `steps` training steps (forward, backward, update) on the batch X."""
    start = time.perf_counter()
    for _ in range(steps):
        model.fit(X, y, epochs=1, batch_size=len(X), optimizer=optimizer,
                  lr_schedule="constant", verbose=0)  # fmt: skip
    return (time.perf_counter() - start) / steps * 1000


def layer_ms(model: dn.Sequential, X: np.ndarray) -> np.ndarray:
    """(2, layers) ms of each layer's forward and backward, one BLAS thread, one step."""
    times = np.zeros((2, len(model.layers)))
    x = X
    for i, layer in enumerate(model.layers):
        start = time.perf_counter()
        x = layer.forward(x, training=True)
        times[0, i] = time.perf_counter() - start
    g = np.full_like(x, 1 / x.size)
    for i in reversed(range(len(model.layers))):
        start = time.perf_counter()
        g = model.layers[i].backward(g)
        times[1, i] = time.perf_counter() - start
        if g is None:
            break
    return times * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--net", choices=NETWORKS, default="lenet")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--steps", type=int, default=10, help="steps per timed turn")
    parser.add_argument("--layers", action="store_true", help="also each layer, one thread")
    args = parser.parse_args()
    build = NETWORKS[args.net][0]
    rng = np.random.default_rng(0)
    X = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, BATCH)
    models = {"planned": build(0), "images first": images_first(build(0))}
    runs = {}
    for name, model in models.items():
        model.threads = args.threads
        runs[name] = (model, dn.Adam(lr=1e-3), [])
    for _ in range(args.repeats + 1):  # the first turn warms up the buffers
        for model, optimizer, times in runs.values():
            times.append(step_ms(model, optimizer, X, y, args.steps))
    print(f"{args.net}, {args.threads} thread(s), batch {BATCH}: ms per step (median of "
          f"{args.repeats} turns of {args.steps} steps, taking turns)")  # fmt: skip
    medians = {name: statistics.median(times[1:]) for name, (_, _, times) in runs.items()}
    for name, ms in medians.items():
        print(f"  {name:<13} {ms:8.2f}")
    print(f"  planned / images first: {medians['planned'] / medians['images first']:.3f}")
    if args.layers:
        with threadpool_limits(1):
            per_layer = {name: [] for name in models}
            for _ in range(args.repeats + 1):
                for name, model in models.items():
                    per_layer[name].append(layer_ms(model, X))
        table = {name: np.median(np.stack(t[1:]), axis=0) for name, t in per_layer.items()}
        print("each layer, one thread, ms: forward / backward, planned | images first")
        for i, layer in enumerate(models["planned"].layers):
            (f, b), (f0, b0) = table["planned"][:, i], table["images first"][:, i]
            print(f"  {i:>2} {type(layer).__name__:<10} {f:7.2f} {b:7.2f} | {f0:7.2f} {b0:7.2f}")
        totals = {name: t.sum() for name, t in table.items()}
        print(f"  total {totals['planned']:.2f} | {totals['images first']:.2f}")


if __name__ == "__main__":
    main()
