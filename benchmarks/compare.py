"""Train the same network with digitnet, PyTorch, scikit-learn and plain NumPy, side by side.

    python benchmarks/compare.py            # a few minutes; prints the tables
    python benchmarks/compare.py --json results.json
    python benchmarks/compare.py --write-docs   # also: its MLP tables into docs/speed.md
    python benchmarks/compare.py --sweep    # also: wider network and batch sizes 32/128/512
    python benchmarks/compare.py --cnn      # also: a LeNet-like CNN, digitnet vs PyTorch
    python benchmarks/compare.py --cnn-only # only the CNN (cnn_bench.py), a few minutes

One recipe for all: 784-128-64-10 ReLU, softmax cross-entropy, Adam (lr 0.001), batch 128,
float32, reshuffled every epoch, fixed seeds, the bundled MNIST. Everything runs in ONE process,
competitors interleaved, and the tables report medians: the machines here are shared and noisy,
so only numbers from the same run compare. PyTorch (`pip install torch`) and scikit-learn are
optional: each is skipped with a notice when absent. Run it with nothing else running:
PyTorch's threads slow down many times over when another process competes for the cores.

On machines that set OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) to work around old OpenBLAS bugs,
NumPy runs older, slower kernels; to measure what a laptop would see, unset both for this command:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/compare.py
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from docs_tables import write_docs  # benchmarks/docs_tables.py

import digitnet as dn

SIZES = (784, 128, 64, 10)
TARGETS = (0.975, 0.980)


# --- what the hardware can do -------------------------------------------------------------------
def flops_per_epoch(sizes=SIZES, n=60000) -> float:
    """Multiply-adds x 2 of one epoch: forward, weight gradients, and input gradients of all
    layers but the first (which digitnet skips, as a careful implementation does)."""
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    input_grads = sum(a * b for a, b in zip(sizes[1:-1], sizes[2:]))
    return 2.0 * n * (2 * weights + input_grads)


def gemm_peak_gflops(size: int = 2048, repeats: int = 5) -> float:
    """float32 matrix-product throughput of NumPy's BLAS on a large square product."""
    a = np.random.default_rng(0).random((size, size), dtype=np.float32)
    out = np.empty_like(a)
    np.matmul(a, a, out=out)
    best = min(_timed(lambda: np.matmul(a, a, out=out)) for _ in range(repeats))
    return 2 * size**3 / best / 1e9


def network_gemms_seconds(sizes=SIZES, batch: int = 128, n: int = 60000) -> float:
    """Seconds per epoch of only the matrix products of training (same shapes, same count)."""
    rng = np.random.default_rng(0)
    products = []
    for k, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        x = rng.random((batch, d_in), dtype=np.float32)
        W = rng.random((d_in, d_out), dtype=np.float32)
        g = rng.random((batch, d_out), dtype=np.float32)
        products.append((x, W, np.empty((batch, d_out), np.float32)))  # x W
        products.append((x.T, g, np.empty((d_in, d_out), np.float32)))  # x^T g
        if k > 0:
            products.append((g, W.T, np.empty((batch, d_in), np.float32)))  # g W^T

    def step():
        for a, b, out in products:
            np.matmul(a, b, out=out)

    for _ in range(20):
        step()
    per_step = min(_timed(lambda: [step() for _ in range(50)]) / 50 for _ in range(5))
    return per_step * -(-n // batch)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- the competitors: each returns (train_one_epoch, test_accuracy, predict) -------------------
def make_digitnet(data, seed):
    (X8, y), (Xt8, yt) = data["uint8"]
    model, optimizer = dn.MLP(list(SIZES), seed=seed), dn.Adam(lr=1e-3)

    def epoch():
        model.fit(X8, y, epochs=1, batch_size=128, optimizer=optimizer, lr_schedule="constant",
                  verbose=0)  # fmt: skip

    return epoch, lambda: model.score(Xt8, yt), model.predict


def make_numpy(data, seed):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import plain_numpy  # here, not above: before_after.py runs this script on older digitnets

    (X, y), (Xt, yt) = data["float32"]
    params, adam, rng = plain_numpy.init(seed)

    def epoch():
        plain_numpy.train_epoch(params, adam, rng, X, y)

    predict = lambda x: plain_numpy.predict(params, x)  # noqa: E731
    return epoch, lambda: float(np.mean(predict(Xt) == yt)), predict


def torch_reference_net(sizes=SIZES):
    """The MLP as PyTorch users write it (after torch.manual_seed): Linear, ReLU, ..., Linear."""
    import torch

    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_train_epoch(net, optimizer, X, y, batch_size, generator=None, schedule=None):
    """One shuffled epoch of idiomatic PyTorch training (stepping `schedule` every batch)."""
    import torch

    order = torch.randperm(len(X), generator=generator)
    for first in range(0, len(X), batch_size):
        idx = order[first : first + batch_size]
        optimizer.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(net(X[idx]), y[idx]).backward()
        optimizer.step()
        if schedule is not None:
            schedule.step()


def make_torch(data, seed, fused):
    import torch

    (X, y), (Xt, yt) = data["float32"]
    X, y, Xt, yt = map(torch.from_numpy, (X, y, Xt, yt))
    torch.manual_seed(seed)
    net = torch_reference_net()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, fused=fused)
    generator = torch.Generator().manual_seed(seed)

    def epoch():
        torch_train_epoch(net, optimizer, X, y, 128, generator)

    def predict(x):
        with torch.inference_mode():
            return net(torch.from_numpy(x)).argmax(dim=1).numpy()

    return epoch, lambda: float(np.mean(predict(Xt.numpy()) == yt.numpy())), predict


def make_sklearn(data, seed):
    from sklearn.neural_network import MLPClassifier

    (X, y), (Xt, yt) = data["float32"]
    clf = MLPClassifier(
        hidden_layer_sizes=(128, 64),
        solver="adam",
        batch_size=128,
        learning_rate_init=1e-3,
        random_state=seed,
        shuffle=True,
    )
    classes = np.arange(10)

    def epoch():
        clf.partial_fit(X, y, classes=classes)  # one pass over the data

    return epoch, lambda: float(clf.score(Xt, yt)), clf.predict


def competitors(only: set[str] | None):
    """(name, factory) for every competitor that is installed (and selected)."""
    found = [("digitnet", make_digitnet), ("plain NumPy", make_numpy)]
    try:
        import torch

        torch.set_num_threads(blas_threads())
        found += [
            ("PyTorch Adam(fused)", lambda d, s: make_torch(d, s, True)),
            ("PyTorch Adam", lambda d, s: make_torch(d, s, False)),
        ]
    except ImportError:
        print("note: PyTorch is not installed: skipped (pip install torch)")
    try:
        import sklearn  # noqa: F401

        found.append(("scikit-learn", make_sklearn))
    except ImportError:
        print("note: scikit-learn is not installed: skipped (pip install scikit-learn)")
    return [(name, f) for name, f in found if only is None or name.split()[0].lower() in only]


def blas_threads() -> int:
    """The number of threads NumPy's BLAS uses (threadpoolctl if installed, else the cores)."""
    try:
        from threadpoolctl import threadpool_info

        return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
    except (ImportError, ValueError):
        return os.cpu_count() or 1


def blas_description() -> str:
    try:
        from threadpoolctl import threadpool_info

        info = [i for i in threadpool_info() if i["user_api"] == "blas"][0]
        return f"{info['internal_api']} {info.get('version')} {info.get('architecture')}"
    except (ImportError, IndexError):
        return "unknown (pip install threadpoolctl to see it)"


# --- measurements --------------------------------------------------------------------------------
def race(comps, data, epochs: int, repeats: int) -> dict:
    """Train every competitor `repeats` times; time each epoch, score after each (untimed).

    The competitors take turns epoch by epoch, so a slow spell of the shared machine hits all
    of them alike instead of whichever happened to be running.
    """
    results = {name: {"epoch_seconds": [], "runs": []} for name, _ in comps}
    for seed in range(repeats):
        runs = {
            name: (factory(data, seed), {"accuracy": [], "seconds_to": {}}, [0.0])
            for name, factory in comps
        }
        for _ in range(epochs):
            for name, ((epoch, accuracy, _), run, elapsed) in runs.items():
                time.sleep(0.1)  # let the previous competitor's threads go idle
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    seconds = _timed(epoch)
                elapsed[0] += seconds
                results[name]["epoch_seconds"].append(seconds)
                run["accuracy"].append(accuracy())
                for target in TARGETS:
                    if run["accuracy"][-1] >= target and str(target) not in run["seconds_to"]:
                        run["seconds_to"][str(target)] = elapsed[0]
        for name, (_, run, _) in runs.items():
            results[name]["runs"].append(run)
            median = statistics.median(results[name]["epoch_seconds"])
            print(
                f"  {name:<20} seed {seed}: {median:.3f} s/epoch, "
                f"accuracy {run['accuracy'][-1]:.4f}",
                flush=True,
            )
    for r in results.values():
        r["median_epoch_seconds"] = statistics.median(r["epoch_seconds"])
        r["final_accuracy"] = statistics.median(run["accuracy"][-1] for run in r["runs"])
        for target in TARGETS:
            times = [run["seconds_to"].get(str(target)) for run in r["runs"]]
            reached = [t for t in times if t is not None]
            r[f"seconds_to_{target}"] = statistics.median(reached) if reached else None
            r[f"reached_{target}"] = f"{len(reached)}/{len(times)}"
    return results


def inference(comps, data, calls: int = 2000) -> dict:
    """Whole-test-set throughput and single-image latency (median of many calls) per competitor."""
    out = {}
    for name, factory in comps:
        epoch, _, predict = factory(data, 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            epoch()  # trained weights, and a fitted scikit-learn model
        images = data["uint8" if name == "digitnet" else "float32"][1][0]
        predict(images)
        whole = min(_timed(functools.partial(predict, images)) for _ in range(5))
        one = images[:1]
        for _ in range(100):
            predict(one)
        latencies = []
        for _ in range(calls):
            start = time.perf_counter()
            predict(one)
            latencies.append(time.perf_counter() - start)
        out[name] = {
            "test_set_seconds": whole,
            "images_per_second": len(images) / whole,
            "single_image_microseconds": statistics.median(latencies) * 1e6,
        }
    return out


# VmHWM: this process's peak resident memory. (getrusage's ru_maxrss would not do: Linux carries
# the parent's peak across fork and exec, so a child started from a big process reports that.)
PEAK_RSS = "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"


def peak_memory_mb() -> dict:
    """Peak RSS of a fresh process training digitnet on all 60,000 images for one epoch, above
    the same interpreter with NumPy imported."""
    base = _child_rss("import numpy\n" + PEAK_RSS)
    train = _child_rss(
        "import digitnet as dn\n(X, y), _ = dn.load_mnist(dtype='uint8')\n"
        'dn.MLP(seed=0).fit(X, y, epochs=1, lr_schedule="constant", verbose=0)\n' + PEAK_RSS
    )
    return {"baseline_mb": base, "training_mb": train, "above_baseline_mb": train - base}


def _child_rss(code: str) -> float:
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return int(output.split()[-1]) / 1024  # kB -> MB


def torch_best_to_98(data, seed: int, epochs: int = 6) -> dict:
    """PyTorch's best recipe here: SGD with Nesterov momentum 0.9, one-cycle schedule to lr 0.2,
    batch 256. Training seconds until the test accuracy first reaches 98.0% (checked per epoch)."""
    import torch

    (X, y), (Xt, yt) = data["float32"]
    X, y, Xt, yt = map(torch.from_numpy, (X, y, Xt, yt))
    torch.manual_seed(seed)
    net = torch_reference_net()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.2, momentum=0.9, nesterov=True)
    steps = epochs * -(-len(X) // 256)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.2, total_steps=steps)
    generator = torch.Generator().manual_seed(seed)
    elapsed, reached, accuracies = 0.0, None, []
    for _ in range(epochs):
        elapsed += _timed(
            functools.partial(torch_train_epoch, net, optimizer, X, y, 256, generator, schedule)
        )
        with torch.inference_mode():
            accuracies.append(float((net(Xt).argmax(dim=1) == yt).float().mean()))
        if reached is None and accuracies[-1] >= 0.98:
            reached = elapsed
    return {"seconds_to_0.98": reached, "accuracies": accuracies, "training_seconds": elapsed}


def digitnet_preset_fast(seed: int) -> dict:
    """Wall time of the whole `digitnet train --preset fast` command, start to saved model."""
    out = Path(f"/tmp/digitnet-bench-fast-{os.getpid()}.npz")
    command = [
        sys.executable,
        "-m",
        "digitnet",
        "train",
        "--preset",
        "fast",
        "--seed",
        str(seed),
        "--quiet",
        "--out",
        str(out),
    ]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    out.unlink(missing_ok=True)
    if result.returncode != 0:
        return {"error": result.stderr.strip()}
    accuracy = float(result.stdout.split("test accuracy:")[1].split("%")[0]) / 100
    return {"wall_seconds": wall, "accuracy": accuracy}


def sweep(data, only_torch: bool, epochs: int = 2) -> list[dict]:
    """Seconds per epoch for a wider network and several batch sizes (digitnet and PyTorch)."""
    rows = []
    (X8, y), _ = data["uint8"]
    (X, _), _ = data["float32"]
    for hidden in ((128, 64), (1024, 1024)):
        for batch in (32, 128, 512):
            sizes = [784, *hidden, 10]
            model, opt = dn.MLP(sizes, seed=0), dn.Adam()
            fit_one_epoch = functools.partial(
                model.fit, X8, y, epochs=1, batch_size=batch, optimizer=opt, verbose=0
            )
            ours = [_timed(fit_one_epoch) for _ in range(epochs)]
            row = {
                "hidden": list(hidden),
                "batch": batch,
                "digitnet": statistics.median(ours),
                "flop_bound_gflop": flops_per_epoch(sizes) / 1e9,
            }
            if only_torch:
                row["torch_fused"] = _torch_epoch_seconds(X, y, sizes, batch, epochs)
                row["ratio"] = row["digitnet"] / row["torch_fused"]
            rows.append(row)
            print(
                f"  {hidden} batch {batch}: digitnet {row['digitnet']:.3f} s/epoch"
                + (f", PyTorch {row['torch_fused']:.3f}" if "torch_fused" in row else ""),
                flush=True,
            )
    return rows


def _torch_epoch_seconds(X, y, sizes, batch, epochs):
    import torch

    X, y = torch.from_numpy(X), torch.from_numpy(y)
    net = torch_reference_net(sizes)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, fused=True)
    epoch = functools.partial(torch_train_epoch, net, optimizer, X, y, batch)
    return statistics.median(_timed(epoch) for _ in range(epochs))


# --- report --------------------------------------------------------------------------------------
def load(limit_train: int | None, limit_test: int | None) -> dict:
    (X8, y), (Xt8, yt) = dn.load_mnist(dtype="uint8")
    X8, y, Xt8, yt = X8[:limit_train], y[:limit_train], Xt8[:limit_test], yt[:limit_test]
    as_float = lambda a: np.divide(a, 255, dtype=np.float32)  # noqa: E731
    return {"uint8": ((X8, y), (Xt8, yt)), "float32": ((as_float(X8), y), (as_float(Xt8), yt))}


def print_table(results: dict, gemm_seconds: float, bound_seconds: float, epochs: int) -> None:
    reference = min(
        (r["median_epoch_seconds"] for n, r in results.items() if "PyTorch" in n), default=None
    )
    print(
        f"\n{'':<22}{'s/epoch':>9}{'vs PyTorch':>12}{f'acc@{epochs}':>9}"
        f"{'s to 97.5%':>13}{'s to 98.0%':>13}"
    )
    for name, r in results.items():
        ratio = f"{r['median_epoch_seconds'] / reference:.2f}x" if reference else "-"
        cells = []
        for target in TARGETS:
            t = r[f"seconds_to_{target}"]
            cells.append(
                f"{t:.2f} ({r[f'reached_{target}']})"
                if t is not None
                else f"not ({r[f'reached_{target}']})"
            )
        print(
            f"{name:<22}{r['median_epoch_seconds']:>9.3f}{ratio:>12}"
            f"{r['final_accuracy']:>9.4f}{cells[0]:>13}{cells[1]:>13}"
        )
    for name, seconds in (("GEMMs alone", gemm_seconds), ("FLOP bound", bound_seconds)):
        ratio = f"{seconds / reference:.2f}x" if reference else "-"
        print(f"{name:<22}{seconds:>9.3f}{ratio:>12}")


DOCS_NAMES = {  # each competitor as docs/speed.md's table names it
    "digitnet": "**digitnet**",
    "plain NumPy": "plain NumPy, written the obvious way",
    "PyTorch Adam(fused)": "PyTorch, `Adam(fused=True)`",
    "PyTorch Adam": "PyTorch, default `Adam`",
    "scikit-learn": "scikit-learn, `MLPClassifier`",
}


# docs/speed.md's table of each CNN race (--write-docs)
CNN_DOCS_TABLES = {"lenet": "cnn-lenet-against-pytorch", "vgg-bn": "cnn-vgg-bn-against-pytorch"}


def markdown_table(results: dict, hardware: dict, epochs: int) -> str:
    """The training race as docs/speed.md shows it: s/epoch, the ratio to PyTorch's fused Adam,
    the accuracy after the last epoch and the training seconds to 97.5%, then the bounds."""
    fused = results.get("PyTorch Adam(fused)", {}).get("median_epoch_seconds")

    def ratio(seconds: float) -> str:
        return f"{seconds / fused:.2f}x" if fused else ""

    lines = [
        f"| | s/epoch | vs PyTorch fused Adam | test acc. after {epochs} epochs "
        "| s of training to 97.5% |",
        "|---|---|---|---|---|",
    ]
    for name, r in results.items():
        bold = "**" if name == "digitnet" else ""
        seconds, to_target = r["median_epoch_seconds"], r["seconds_to_0.975"]
        lines.append(
            f"| {DOCS_NAMES.get(name, name)} | {bold}{seconds:.3f}{bold} | "
            f"{bold}{ratio(seconds)}{bold} | {r['final_accuracy']:.2%} | "
            f"{'not reached' if to_target is None else f'{to_target:.2f}'} |"
        )
    gemms, bound = hardware["gemm_seconds_per_epoch"], hardware["flop_bound_seconds_per_epoch"]
    lines.append(f"| the network's matrix products alone | {gemms:.3f} | {ratio(gemms)} | | |")
    lines.append(
        f"| FLOP bound ({hardware['gflop_per_epoch']:.1f} GFLOP at the measured "
        f"{hardware['gemm_peak_gflops']:.0f} GFLOP/s peak) | {bound:.3f} | {ratio(bound)} | | |"
    )
    return "\n".join(lines) + "\n"


def write_mlp_table(report: dict, epochs: int, command: str) -> None:
    """Put the training race's table into docs/speed.md (docs/measured.py), with the PyTorch
    version and thread count it ran with."""
    try:
        import torch

        against = f"PyTorch {torch.__version__.split('+')[0]} on {torch.get_num_threads()} threads"
    except ImportError:
        against = "without PyTorch"
    head = (
        f"Adam lr 0.001, batch 128, float32, medians of {epochs} epochs x "
        f"{len(next(iter(report['training'].values()))['runs'])} seeds; {against}:\n\n"
    )
    table = head + markdown_table(report["training"], report["hardware"], epochs)
    write_docs("speed.md", "mlp-against-pytorch", table, command)


def write_mlp_details(report: dict, command: str) -> None:
    """Put what the race found beside its table into docs/speed.md: the same-math check, the time
    to 98%, inference and memory (each only where this run measured it)."""
    lines = []
    if "same_math" in report:
        difference = report["same_math"]["max_accuracy_difference_vs_plain_numpy"]
        lines.append(
            "- digitnet and the plain NumPy baseline start from the same weights and see the same "
            f"batches (same seed): their test accuracies differ by at most {difference:.2%} over "
            "all epochs, from float rounding alone."
        )
    if "to_98" in report:
        fast = report["to_98"]["digitnet_preset_fast"]
        walls = [r["wall_seconds"] for r in fast if "wall_seconds" in r]
        accuracies = ", ".join(f"{r['accuracy']:.2%}" for r in fast if "accuracy" in r)
        torch_runs = report["to_98"]["pytorch_best"]
        reached = [f"{r['seconds_to_0.98']:.2f} s" for r in torch_runs if r["seconds_to_0.98"]]
        missed, epochs = len(torch_runs) - len(reached), len(torch_runs[0]["accuracies"])
        lines.append(
            f"- Time to 98.0%: `digitnet train --preset fast` took {min(walls):.2f}-"
            f"{max(walls):.2f} s for the whole command (start, data loading, training, test "
            f"evaluation, saved model; {accuracies} for seeds 0-{len(fast) - 1}). PyTorch's best "
            "recipe (SGD + Nesterov, one-cycle to lr 0.2, batch 256) needed "
            + (" and ".join(reached) or "-")
            + " of training alone"
            + (
                f", and did not reach 98.0% in {epochs} epochs for {missed} of its seeds."
                if missed
                else "."
            )
        )
    if "inference" in report:
        found = report["inference"]
        ours = found["digitnet"]
        others = "; ".join(
            f"{DOCS_NAMES.get(name, name).replace('**', '')} "
            f"{r['test_set_seconds'] * 1e3:.1f} ms and {r['single_image_microseconds']:.1f} us"
            for name, r in found.items()
            if name != "digitnet"
        )
        lines.append(
            f"- Inference: the 10,000 test images in {ours['test_set_seconds'] * 1e3:.1f} ms, a "
            f"single image in {ours['single_image_microseconds']:.1f} us (median of 2,000 "
            f"calls); {others}."
        )
    if "memory" in report:
        lines.append(
            "- Peak memory while training on all 60,000 images: "
            f"{report['memory']['above_baseline_mb']:.0f} MB above Python with NumPy imported."
        )
    write_docs("speed.md", "mlp-details", "\n".join(lines), command)


def write_sweep_table(rows: list[dict], command: str) -> None:
    """Put the sweep's seconds per epoch by width and batch size into docs/speed.md."""
    batches = sorted({row["batch"] for row in rows})
    lines = ["| hidden layers | " + " | ".join(f"batch {b}" for b in batches) + " |"]
    lines.append("|---|" + "---|" * len(batches))
    for hidden in dict.fromkeys(tuple(row["hidden"]) for row in rows):
        mine = {row["batch"]: row for row in rows if tuple(row["hidden"]) == hidden}
        name = "-".join(map(str, hidden))
        cells = [f"{mine[b]['digitnet']:.3f}" for b in batches]
        lines.append(f"| {name}, digitnet | " + " | ".join(cells) + " |")
        if all("torch_fused" in mine[b] for b in batches):
            cells = [f"{mine[b]['torch_fused']:.3f}" for b in batches]
            lines.append(f"| {name}, PyTorch fused Adam | " + " | ".join(cells) + " |")
    write_docs("speed.md", "mlp-sweep", "\n".join(lines), command)


def mlp_sections(args, data, report: dict, peak: float, only, epochs: int, repeats: int) -> None:
    """The MLP's bounds, race, inference, memory, time to 98% and sweep, into `report`."""
    n_train = len(data["uint8"][0][0])
    gemm_seconds = network_gemms_seconds(n=n_train)
    bound_seconds = flops_per_epoch(n=n_train) / (peak * 1e9)
    report["hardware"] |= {
        "gemm_seconds_per_epoch": gemm_seconds,
        "flop_bound_seconds_per_epoch": bound_seconds,
        "gflop_per_epoch": flops_per_epoch(n=n_train) / 1e9,
    }
    print(
        f"float32 GEMM peak {peak:.0f} GFLOP/s; {flops_per_epoch(n=n_train) / 1e9:.1f} GFLOP "
        f"per epoch -> FLOP bound {bound_seconds:.3f} s; this network's GEMMs alone "
        f"{gemm_seconds:.3f} s/epoch"
    )

    comps = competitors(only)
    print(f"\ntraining ({epochs} epochs x {repeats} seeds each, interleaved):")
    report["training"] = race(comps, data, epochs, repeats)
    print_table(report["training"], gemm_seconds, bound_seconds, epochs)

    print("\ninference on the test set (one call) and on a single image (median of 2000 calls):")
    report["inference"] = inference(comps, data, calls=200 if args.quick else 2000)
    for name, r in report["inference"].items():
        print(
            f"  {name:<22}{r['test_set_seconds'] * 1e3:8.2f} ms for {len(data['uint8'][1][0])}"
            f" images ({r['images_per_second']:,.0f}/s)  single image "
            f"{r['single_image_microseconds']:.1f} us"
        )

    if not args.quick:
        report["memory"] = peak_memory_mb()
        m = report["memory"]
        print(
            f"\npeak memory training digitnet on 60,000 images: {m['above_baseline_mb']:.0f} MB "
            f"above Python+NumPy ({m['training_mb']:.0f} MB total)"
        )
        names = [name for name, _ in comps]
        if "digitnet" in names and "plain NumPy" in names:
            ours = report["training"]["digitnet"]["runs"]
            base = report["training"]["plain NumPy"]["runs"]
            diffs = [
                abs(a - b)
                for o, p in zip(ours, base)
                for a, b in zip(o["accuracy"], p["accuracy"])
            ]
            report["same_math"] = {"max_accuracy_difference_vs_plain_numpy": max(diffs)}
            print(
                f"same seed and recipe as plain NumPy: largest test-accuracy difference over "
                f"all epochs {max(diffs):.4f}"
            )
        if any("PyTorch" in name for name in names):
            print(
                "\ntime to 98.0% test accuracy (PyTorch's best recipe vs digitnet train --preset "
                "fast), 3 seeds:"
            )
            report["to_98"] = {
                "pytorch_best": [torch_best_to_98(data, s) for s in range(3)],
                "digitnet_preset_fast": [digitnet_preset_fast(s) for s in range(3)],
            }
            for r in report["to_98"]["pytorch_best"]:
                print(
                    f"  PyTorch SGD+Nesterov one-cycle lr 0.2, batch 256: training to 98.0% "
                    f"{r['seconds_to_0.98'] or float('nan'):.2f} s (accuracy by epoch "
                    f"{', '.join(f'{a:.4f}' for a in r['accuracies'])})"
                )
            for r in report["to_98"]["digitnet_preset_fast"]:
                print(
                    f"  digitnet train --preset fast: whole command {r.get('wall_seconds', 0):.2f}"
                    f" s, test accuracy {r.get('accuracy', 0):.4f} {r.get('error', '')}"
                )
    if args.sweep:
        print("\nseconds per epoch by width and batch size (Adam; PyTorch with fused Adam):")
        report["sweep"] = sweep(data, any("PyTorch" in name for name, _ in comps))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--only", default=None, help="comma-separated: digitnet,plain,pytorch,scikit-learn"
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, for a smoke test (numbers mean nothing)"
    )
    parser.add_argument("--sweep", action="store_true", help="wider network, batch sizes")
    parser.add_argument("--cnn", action="store_true", help="also the CNN race (cnn_bench.py)")
    parser.add_argument("--cnn-only", action="store_true", help="only the CNN race")
    parser.add_argument("--cnn-epochs", type=int, default=3)
    parser.add_argument(
        "--cnn-network", choices=("lenet", "vgg-bn"), default="lenet", help="the CNN raced"
    )
    parser.add_argument("--cnn-repeats", type=int, default=1)
    parser.add_argument("--json", metavar="FILE", default=None)
    parser.add_argument(
        "--write-docs", action="store_true", help="write the race's table into docs/speed.md"
    )
    args = parser.parse_args(argv)

    only = set(args.only.lower().split(",")) if args.only else None
    limits = (2000, 500) if args.quick else (None, None)
    epochs, repeats = (1, 1) if args.quick else (args.epochs, args.repeats)
    data = load(*limits)
    n_train = len(data["uint8"][0][0])
    report: dict = {
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "blas": blas_description(),
            "threads": blas_threads(),
            "cpu": platform.processor() or platform.machine(),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        },
        "recipe": "784-128-64-10 ReLU, Adam lr 0.001, batch 128, float32, shuffled, seeds "
        f"0..{repeats - 1}, {epochs} epochs, {n_train} training images"
        if not args.cnn_only
        else f"the CNN only (below), {n_train} training images",
    }
    print(json.dumps(report, indent=1))
    if os.environ.get("OPENBLAS_CORETYPE"):
        print(
            f"note: OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} is set: NumPy runs "
            "older kernels (see this script's docstring)"
        )

    peak = gemm_peak_gflops(512 if args.quick else 2048)
    report["hardware"] = {"gemm_peak_gflops": peak}
    if not args.cnn_only:
        mlp_sections(args, data, report, peak, only, epochs, repeats)
        if args.write_docs and not args.quick:
            command = (
                "python benchmarks/compare.py --write-docs"
                + (f" --only {args.only}" if args.only else "")
                + (" --sweep" if args.sweep else "")
            )
            write_mlp_table(report, epochs, command)
            write_mlp_details(report, command)
            if args.sweep:
                write_sweep_table(report["sweep"], command)
    if args.cnn or args.cnn_only:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import cnn_bench  # here, not above: before_after.py runs this script on older digitnets

        cnn_epochs, cnn_repeats = (1, 1) if args.quick else (args.cnn_epochs, args.cnn_repeats)
        with_torch = only is None or "pytorch" in only
        report["cnn"] = cnn_bench.run(
            data,
            peak,
            cnn_epochs,
            cnn_repeats,
            with_torch,
            blas_threads(),
            args.quick,
            args.cnn_network,
        )
        if args.write_docs and not args.quick:
            table = cnn_bench.markdown_table(report["cnn"], cnn_epochs, peak)
            command = (
                f"python benchmarks/compare.py --cnn-only --cnn-network {args.cnn_network} "
                f"--cnn-epochs {cnn_epochs} --write-docs"
            )
            write_docs("speed.md", CNN_DOCS_TABLES[args.cnn_network], table, command)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
