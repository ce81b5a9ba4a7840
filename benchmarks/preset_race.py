"""`digitnet train --preset cnn` against a PyTorch process training the same network with the
same recipe: the wall time of each whole process (start, data, training, evaluation after every
epoch) and its test accuracy, seeds alternating.

    python benchmarks/preset_race.py              # 3 seeds each: about 4 minutes on 2 cores
    python benchmarks/preset_race.py --seeds 0 --json race.json
    python benchmarks/preset_race.py --runs 2 --write-docs   # its table into docs/speed.md

The recipe is the preset's (training/settings.py PRESETS["cnn"]): conv 5x5 16, ReLU, max-pool 2,
conv 5x5 32, ReLU, max-pool 2, dense 128, ReLU, dense 10; SGD with Nesterov momentum 0.9, lr 0.05
after a linear warm-up over half an epoch, cosine decay to 0 per step, batch 128, 5 epochs,
float32. PyTorch (2 threads, its own initialisation, torch.manual_seed(seed)) reads the same
bundled MNIST through digitnet's loader and shuffles with its own generator. Needs torch.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import time

RESULT = re.compile(r"test accuracy: ([\d.]+)%")
EPOCH = re.compile(r"test_accuracy ([\d.]+)")

TORCH = r"""
import math, sys, time
import numpy as np, torch
import digitnet as dn
from digitnet.training.settings import PRESETS
seed = int(sys.argv[1])
torch.set_num_threads(2)
torch.manual_seed(seed)
recipe = PRESETS["cnn"]
(X, y), (Xt, yt) = dn.load_mnist(dtype="float32")
X, Xt = (torch.from_numpy(a.reshape(len(a), 1, 28, 28)) for a in (X, Xt))
y, yt = torch.from_numpy(y), torch.from_numpy(yt)
net = torch.nn.Sequential(
    torch.nn.Conv2d(1, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(16, 32, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
    torch.nn.Linear(32 * 4 * 4, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
lr, batch, epochs = recipe["lr"], recipe["batch_size"], recipe["epochs"]
optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, nesterov=True)
steps_per_epoch = math.ceil(len(X) / batch)
total, warmup = epochs * steps_per_epoch, int(recipe["warmup_epochs"] * steps_per_epoch)
def rate(step):  # linear warm-up, then cosine to 0, per step
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))
schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
loss_fn = torch.nn.CrossEntropyLoss()
generator = torch.Generator().manual_seed(seed)
for epoch in range(epochs):
    net.train()
    for idx in torch.randperm(len(X), generator=generator).split(batch):
        optimizer.zero_grad(set_to_none=True)
        loss_fn(net(X[idx]), y[idx]).backward()
        optimizer.step()
        schedule.step()
    net.eval()
    with torch.inference_mode():
        right = sum(int((net(Xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum())
                    for i in range(0, len(Xt), 1000))
    print(f"epoch {epoch + 1} test_accuracy {right / len(Xt):.4f}", flush=True)
print(f"test accuracy: {100 * right / len(Xt):.2f}%")
"""


def timed(argv: list[str], cwd: str) -> tuple[float, str]:
    """Wall seconds and output of one process."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def race(seeds: list[int]) -> dict:
    """One race: both processes for each seed in turn; each side's runs, median and mean."""
    code = "import sys; from digitnet.app.cli import main; sys.exit(main(sys.argv[1:]))"
    runs: dict[str, list[dict]] = {"digitnet": [], "PyTorch": []}
    with tempfile.TemporaryDirectory() as folder:
        for seed in seeds:
            ours = [sys.executable, "-c", code, "train", "--preset", "cnn", "--seed", str(seed)]
            seconds, out = timed(ours, folder)
            accuracy = float(RESULT.findall(out)[-1]) / 100
            runs["digitnet"].append({"seed": seed, "seconds": seconds, "accuracy": accuracy})
            seconds, out = timed([sys.executable, "-c", TORCH, str(seed)], folder)
            by_epoch = [float(a) for a in EPOCH.findall(out)]
            runs["PyTorch"].append(
                {"seed": seed, "seconds": seconds, "accuracy": by_epoch[-1], "by_epoch": by_epoch}
            )
            for name in runs:
                run = runs[name][-1]
                print(f"{name:<9} seed {seed}: {run['seconds']:.1f} s, {run['accuracy']:.2%}")
    report = {name: {"runs": r, "median_seconds": statistics.median(x["seconds"] for x in r),
                     "mean_accuracy": statistics.mean(x["accuracy"] for x in r)}
              for name, r in runs.items()}  # fmt: skip
    report["ratio"] = report["digitnet"]["median_seconds"] / report["PyTorch"]["median_seconds"]
    return report


def markdown_table(races: list[dict]) -> str:
    """The races as docs/speed.md shows them: one row per race, and the ratio over all."""
    seeds = " / ".join(str(run["seed"]) for run in races[0]["digitnet"]["runs"])
    lines = [
        f"| run | digitnet: seconds, seeds {seeds} | PyTorch: seconds | ratio of medians "
        "| test accuracy, mean |",
        "|---|---|---|---|---|",
    ]
    for number, report in enumerate(races, 1):
        ours, theirs = (
            " / ".join(f"{run['seconds']:.1f}" for run in report[name]["runs"])
            for name in ("digitnet", "PyTorch")
        )
        accuracy = (
            f"digitnet {report['digitnet']['mean_accuracy']:.2%}, "
            f"PyTorch {report['PyTorch']['mean_accuracy']:.2%}"
        )
        lines.append(f"| {number} | {ours} | {theirs} | {report['ratio']:.2f} | {accuracy} |")
    ratio = statistics.median(report["ratio"] for report in races)
    return "\n".join(lines) + (
        f"\n\ndigitnet's whole command takes {ratio:.2f} times PyTorch's process (the median "
        "ratio of the runs).\n"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--runs", type=int, default=1, help="races of all the seeds (1)")
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument(
        "--write-docs", action="store_true", help="write the table into docs/speed.md"
    )
    args = parser.parse_args(argv)
    races = [race(args.seeds) for _ in range(args.runs)]
    for report in races:
        print(
            f"digitnet train --preset cnn: {report['digitnet']['median_seconds']:.1f} s, "
            f"{report['digitnet']['mean_accuracy']:.2%} mean; PyTorch process "
            f"{report['PyTorch']['median_seconds']:.1f} s, "
            f"{report['PyTorch']['mean_accuracy']:.2%} mean (medians of {len(args.seeds)}; "
            f"ratio {report['ratio']:.2f})"
        )
    if args.json:
        with open(args.json, "w") as file:
            json.dump(races if args.runs > 1 else races[0], file, indent=1)
    if args.write_docs:
        import torch
        from docs_tables import write_docs

        head = f"PyTorch {torch.__version__.split('+')[0]} on 2 threads:\n\n"
        command = f"python benchmarks/preset_race.py --runs {args.runs} --write-docs"
        write_docs("speed.md", "preset-race", head + markdown_table(races), command)
    return 0 if all(math.isfinite(report["ratio"]) for report in races) else 1


if __name__ == "__main__":
    sys.exit(main())
