"""Where an epoch of the LeNet-like CNN's training time goes: im2col, matrix products, col2im,
pooling, activations, loss, optimizer, data.

    python benchmarks/cnn_profile.py                  # 400 batches: about a minute on 2 cores
    python benchmarks/cnn_profile.py --batches 100 --json profile.json

It trains cnn_bench.lenet() with the five lines of training.loop.train_epoch, timing each
piece: every layer's forward and backward, and inside them (charged to the layer that runs them)
the names digitnet.nn.conv calls for im2col and col2im, and np.matmul as digitnet.nn.conv and
digitnet.nn.dense see it (their module name `np` is swapped for a copy of NumPy whose matmul is
timed; other modules keep the real one). Everything is put back afterwards. The rest of a conv
layer's time is its padding and batch-last copies, its bias and db. Seconds are scaled to an epoch
of 60,000 images and compared with an un-instrumented fit on as many images. (The timers cost
about a microsecond per call, some 40 calls per batch: noise next to a batch's tens of ms.)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
import types
from collections import defaultdict
from pathlib import Path

import cnn_bench  # the sibling script (this script's folder is on sys.path)
import numpy as np

import digitnet as dn
from digitnet.nn import conv as conv_module
from digitnet.nn import dense as dense_module
from digitnet.training.batches import Batches

EPOCH_IMAGES = 60000
WARMUP = 2  # batches run before timing: the first allocates every buffer
KINDS = {
    dn.Conv2D: "conv",
    dn.MaxPool2D: "pooling",
    dn.ReLU: "activations",
    dn.Flatten: "flatten",
    dn.Dense: "dense",
}
# (label, kind, part): the table's rows in order; part "" is the kind's time less its parts
ROWS = [
    ("data: batching, uint8 -> float32", "data", ""),
    ("conv: im2col", "conv", "im2col"),
    ("conv: matrix products", "conv", "products"),
    ("conv: col2im", "conv", "col2im"),
    ("conv: padding, batch-last copies, bias, db", "conv", ""),
    ("pooling (max)", "pooling", ""),
    ("activations (ReLU)", "activations", ""),
    ("flatten", "flatten", ""),
    ("dense: matrix products (and 1^T g for db)", "dense", "products"),
    ("dense: bias", "dense", ""),
    ("loss (softmax cross-entropy)", "loss", ""),
    ("optimizer (Adam step)", "optimizer", ""),
    ("bookkeeping (loss sum, accuracy)", "bookkeeping", ""),
]


class Timers:
    """Seconds by (layer, part, pass). An inner timer (im2col, a product) is charged to the
    layer whose forward or backward is running; a layer's own entry (part "") is inclusive."""

    def __init__(self) -> None:
        self.seconds: dict[tuple[str, str, str], float] = defaultdict(float)
        self.running = ("", "")  # (layer, pass) inside which inner timers count

    def layer(self, fn, name: str, phase: str):
        def timed(*args, **kwargs):
            self.running = (name, phase)
            start = time.perf_counter()
            result = fn(*args, **kwargs)
            self.seconds[(name, "", phase)] += time.perf_counter() - start
            return result

        return timed

    def inner(self, fn, part: str):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            result = fn(*args, **kwargs)
            name, phase = self.running
            self.seconds[(name, part, phase)] += time.perf_counter() - start
            return result

        return timed

    @contextlib.contextmanager
    def piece(self, name: str, phase: str = "step"):
        """Time a piece of the training step that is not a layer (data, loss, optimizer)."""
        start = time.perf_counter()
        yield
        self.seconds[(name, "", phase)] += time.perf_counter() - start


@contextlib.contextmanager
def instrumented(model: dn.Sequential, timers: Timers):
    """Time every layer's passes, and im2col, col2im and matmul inside conv and dense; undo."""
    numpy_timed = types.ModuleType("numpy, matmul timed")
    numpy_timed.__dict__.update(vars(np))
    numpy_timed.matmul = timers.inner(np.matmul, "products")
    saved = [(module, "np", module.np) for module in (conv_module, dense_module)]
    saved += [(conv_module, name, getattr(conv_module, name)) for name in ("im2col", "col2im")]
    conv_module.np = dense_module.np = numpy_timed
    conv_module.im2col = timers.inner(conv_module.im2col, "im2col")
    conv_module.col2im = timers.inner(conv_module.col2im, "col2im")
    for i, layer in enumerate(model.layers):
        name = f"{i} {layer.type_name}"
        layer.forward = timers.layer(layer.forward, name, "forward")
        layer.backward = timers.layer(layer.backward, name, "backward")
    try:
        yield
    finally:
        for module, attribute, value in saved:
            setattr(module, attribute, value)
        for layer in model.layers:
            del layer.forward, layer.backward  # the class's methods again


def profile(
    X: np.ndarray,
    y: np.ndarray,
    batches: int,
    batch_size: int = cnn_bench.BATCH,
    seed: int = 0,
    instrument: bool = True,
) -> tuple[dict, dn.Sequential, dn.Adam]:
    """Train a fresh lenet(seed) on `batches` batches of X (after WARMUP untimed ones) with the
    steps of training.loop.train_epoch, timing each piece. Returns the summary (seconds per
    60,000-image epoch), the model and its optimizer. instrument=False: the same training
    without timers inside the layers (the tests compare the weights)."""
    if (batches + WARMUP) * batch_size > len(X):
        raise ValueError(
            f"{batches} batches of {batch_size} (+{WARMUP} warm-up) need more than {len(X)} images"
        )
    model, optimizer = cnn_bench.lenet(seed), dn.Adam(lr=1e-3)
    params, grads, decay = model.block.groups(optimizer.weight_decay > 0)
    stream = iter(Batches(X, y, model.rng.permutation(len(X)), batch_size, model))
    timers, totals = Timers(), {"loss": 0.0, "correct": 0}

    def step() -> None:
        with timers.piece("data"):
            x, labels = next(stream)
        logits = model.forward(x, training=True)
        with timers.piece("loss", "forward"):
            loss = model.loss.forward(logits, labels)
        with timers.piece("loss", "backward"):
            grad_logits = model.loss.backward()
        model.backward(grad_logits)
        with timers.piece("optimizer"):
            optimizer.step(params, grads, decay)
        with timers.piece("bookkeeping"):  # as train_epoch's _record
            totals["loss"] += loss * len(labels)
            totals["correct"] += int((logits.argmax(axis=1) == labels).sum())

    for _ in range(WARMUP):
        step()
    timers.seconds.clear()
    with instrumented(model, timers) if instrument else contextlib.nullcontext():
        start = time.perf_counter()
        for _ in range(batches):
            step()
        total = time.perf_counter() - start
    summary = summarize(model, timers.seconds, total, EPOCH_IMAGES / (batches * batch_size))
    return summary | {"batches": batches, "batch_size": batch_size}, model, optimizer


def measured_seconds(
    model: dn.Sequential, optimizer: dn.Adam, X, y, batches: int, batch_size: int
):
    """Seconds per 60,000-image epoch of a plain model.fit on batches x batch_size images,
    nothing timed inside (the model's buffers already exist: no first-batch allocations)."""
    n = batches * batch_size
    start = time.perf_counter()
    model.fit(X[:n], y[:n], epochs=1, batch_size=batch_size, optimizer=optimizer,
              lr_schedule="constant", verbose=0)  # fmt: skip
    return (time.perf_counter() - start) * EPOCH_IMAGES / n


def summarize(model: dn.Sequential, seconds: dict, total: float, scale: float) -> dict:
    """The table's rows from the raw timers: each layer kind's time less its inner parts, the
    rest of the wall time as its own row; everything times `scale` (to an epoch)."""
    kinds = {
        f"{i} {layer.type_name}": KINDS.get(type(layer), layer.type_name)
        for i, layer in enumerate(model.layers)
    }
    by_row: dict[tuple[str, str, str], float] = defaultdict(float)
    for (name, part, phase), spent in seconds.items():
        kind = kinds.get(name, name)
        by_row[(kind, part, phase)] += spent * scale
        if part:  # an inner part: out of its layer's inclusive time
            by_row[(kind, "", phase)] -= spent * scale
    rows = []
    for label, kind, part in ROWS:
        forward, backward = by_row[(kind, part, "forward")], by_row[(kind, part, "backward")]
        other = by_row[(kind, part, "step")]
        rows.append(
            {"part": label, "forward": forward, "backward": backward, "other": other}
            | {"seconds_per_epoch": forward + backward + other}
        )
    accounted = sum(row["seconds_per_epoch"] for row in rows)
    rest = total * scale - accounted  # the loop itself and the timers' own cost
    rows.append({"part": "loop and timers (the rest)", "forward": 0.0, "backward": 0.0})
    rows[-1] |= {"other": rest, "seconds_per_epoch": rest}
    for row in rows:
        row["percent"] = 100 * row["seconds_per_epoch"] / (total * scale)
    layers = [
        {"layer": name, "part": part or "total", "pass": phase, "seconds_per_epoch": spent * scale}
        for (name, part, phase), spent in sorted(seconds.items())
        if name in kinds
    ]
    return {
        "rows": rows,
        "total_seconds_per_epoch": total * scale,
        "by_layer": layers,
    }


def markdown_table(summary: dict) -> str:
    """The rows as a Markdown table: forward, backward, s/epoch and % of the instrumented total."""
    lines = ["| part | forward s | backward s | s/epoch | % |", "|---|--:|--:|--:|--:|"]
    cell = lambda s: f"{s:.2f}" if s else ""  # noqa: E731
    for row in summary["rows"]:
        lines.append(
            f"| {row['part']} | {cell(row['forward'])} | {cell(row['backward'])} "
            f"| {row['seconds_per_epoch']:.2f} | {row['percent']:.1f}% |"
        )
    forward = sum(row["forward"] for row in summary["rows"])
    backward = sum(row["backward"] for row in summary["rows"])
    lines.append(
        f"| **total (instrumented)** | {forward:.2f} | {backward:.2f} "
        f"| **{summary['total_seconds_per_epoch']:.2f}** | 100.0% |"
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=400, help="timed batches (max 466)")
    parser.add_argument("--batch-size", type=int, default=cnn_bench.BATCH)
    parser.add_argument("--json", metavar="FILE", default=None)
    args = parser.parse_args(argv)
    (X, y), _ = dn.load_mnist(dtype="uint8")
    if args.batches < 1 or (args.batches + WARMUP) * args.batch_size > len(X):
        parser.error(
            f"--batches must be 1..{len(X) // args.batch_size - WARMUP} for this batch size"
        )
    summary, model, optimizer = profile(X, y, args.batches, args.batch_size)
    summary["measured_seconds_per_epoch"] = measured_seconds(
        model, optimizer, X, y, args.batches, args.batch_size
    )
    summary["gemm_seconds_per_epoch"] = cnn_bench.gemms_seconds(
        model, args.batch_size, EPOCH_IMAGES, steps=20, repeats=3
    )
    print(
        f"LeNet-like CNN, {args.batches} batches of {args.batch_size}, seconds scaled to an "
        f"epoch of {EPOCH_IMAGES:,} images:\n"
    )
    print(markdown_table(summary))
    print(
        f"\nmeasured without timers (fit on the same number of images): "
        f"{summary['measured_seconds_per_epoch']:.2f} s/epoch; the same matrix products timed "
        f"alone (cnn_bench.gemms_seconds): {summary['gemm_seconds_per_epoch']:.2f} s/epoch"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
