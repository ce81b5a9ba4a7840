"""Produce the figures of docs/cnn.md and docs/results.md for convolutional networks, by running
digitnet's own commands.

    python docs/cnn_figures.py             # the cnn preset, 3 seeds (about 3 minutes)
    python docs/cnn_figures.py --best      # also cnn-best, 3 seeds (up to 45 minutes)
    python docs/cnn_figures.py --pictures  # also filters, feature maps and the drawing page
    python docs/cnn_figures.py --candidates --no-cnn  # the presets' candidates (~35 min)

Runs `digitnet train --preset NAME --seed S` in a fresh process each, and makes a Markdown table:
test accuracy per seed, their mean, the wall time of the whole command, and its peak memory (the
process's maximum resident set size) above that of a Python process that has imported NumPy.
With --best, the table (both presets) goes into docs/results.md with the machine and the day
(docs/measured.py); otherwise it is printed. With --candidates, the table of the candidates the
presets were chosen from, each trained once (seed 0) on the training set less a validation split
of 6,000 images, goes into docs/results.md too.
Run it with nothing else running: the machines are 2 shared cores.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
RESULT = re.compile(r"test accuracy: ([\d.]+)% .* after (\d+) epochs in ([\d.]+)s")
LENET_PADDED = (
    "conv 16 5 pad 2, relu, maxpool 2, conv 32 5 pad 2, relu, maxpool 2, dense 128, relu"
)
# (what, flags, chosen): each a preset's recipe with some of its settings changed
CANDIDATES = [
    (
        f"LeNet-like with padding (`{LENET_PADDED}`), SGD + Nesterov as `cnn`",
        ["--preset", "cnn", "--layers", LENET_PADDED, "--epochs", "2"],
        False,
    ),
    (
        "the same, Adam lr 0.002",
        ["--preset", "cnn", "--layers", LENET_PADDED, "--epochs", "2", "--optimizer", "adam"]
        + ["--lr", "0.002"],
        False,
    ),
    ("`cnn`: the same without padding (2.4 times less work per image)", ["--preset", "cnn"], True),
    (
        "narrower: `conv 12 5, ..., conv 24 5, ..., dense 64`",
        ["--preset", "cnn", "--epochs", "6", "--layers"]
        + ["conv 12 5, relu, maxpool 2, conv 24 5, relu, maxpool 2, dense 64, relu"],
        False,
    ),
    (
        "LeNet-like with padding, affine distortions",
        ["--preset", "cnn", "--layers", LENET_PADDED, "--epochs", "12", "--augment", "affine"],
        False,
    ),
    (
        "32 and 64 channels, dense 256 with dropout 0.5, affine distortions",
        ["--preset", "cnn-best", "--epochs", "30"],
        False,
    ),
    (
        "the same with elastic (and affine) distortions",
        ["--preset", "cnn-best", "--epochs", "30", "--augment", "elastic"],
        False,
    ),
    (
        "`cnn-best`: 32 and 64 channels, dense 256 with dropout 0.5, affine distortions",
        ["--preset", "cnn-best"],
        True,
    ),
]


def run(argv: list[str], cwd: Path) -> tuple[str, float, float]:
    """(stdout, wall seconds, peak resident MB) of one command in a fresh process."""
    # into files, not pipes: a pipe nobody reads fills up with the progress bar, and blocks
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out_file, stderr=err_file)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read().decode(), err_file.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{err[-2000:]}")
    return out, seconds, usage.ru_maxrss / 1024  # ru_maxrss is in kilobytes on Linux


def numpy_baseline_mb(cwd: Path) -> float:
    """Peak resident memory of a Python process that has imported NumPy."""
    return run([sys.executable, "-c", "import numpy"], cwd)[2]


def preset_runs(preset: str, seeds: list[int], folder: Path) -> list[dict]:
    """Train the preset once per seed; accuracy, epochs, wall seconds and peak MB of each."""
    runs = []
    for seed in seeds:
        argv = [sys.executable, "-m", "digitnet", "train", "--preset", preset]
        # as a user types it: not --quiet, so the test set is also scored after every epoch
        argv += ["--seed", str(seed), "--out", f"{preset}-{seed}.npz"]
        out, seconds, peak = run(argv, folder)
        match = RESULT.search(out)
        assert match, out
        runs.append(
            {
                "seed": seed,
                "accuracy": float(match.group(1)),
                "epochs": int(match.group(2)),
                "train_seconds": float(match.group(3)),
                "wall_seconds": seconds,
                "peak_mb": peak,
            }
        )
        print(f"  {preset} seed {seed}: {runs[-1]}", file=sys.stderr, flush=True)
    return runs


def table_row(preset: str, runs: list[dict], baseline: float) -> str:
    accuracies = " / ".join(f"{r['accuracy']:.2f}%" for r in runs)
    mean = statistics.mean(r["accuracy"] for r in runs)
    walls = [r["wall_seconds"] for r in runs]
    peak = max(r["peak_mb"] for r in runs) - baseline
    return (
        f"| `{preset}` | {accuracies} | {mean:.2f}% | {min(walls):.0f}-{max(walls):.0f} s | "
        f"{peak:.0f} MB |"
    )


def candidate_table(folder: Path) -> str:
    """Train each candidate once on a validation split; its accuracies, as a Markdown table."""
    rows = [
        "| candidate | epochs | validation accuracy | test accuracy | accuracy on its training "
        "batches, last epoch |",
        "|---|---|---|---|---|",
    ]
    for number, (what, flags, chosen) in enumerate(CANDIDATES):
        history = folder / f"candidate-{number}.csv"
        argv = [sys.executable, "-m", "digitnet", "train", *flags, "--validation-split", "0.1"]
        # two threads, whatever the load: the same bits on every run of this script
        argv += ["--seed", "0", "--threads", "2", "--quiet", "--history", str(history)]
        out, _, _ = run([*argv, "--out", str(folder / f"candidate-{number}.npz")], folder)
        match = RESULT.search(out)
        assert match, out
        header, *lines = history.read_text().splitlines()
        last = dict(zip(header.split(","), lines[-1].split(",")))
        validation = f"{float(last['val_accuracy']) * 100:.2f}%"
        what, validation = (f"**{what}**", f"**{validation}**") if chosen else (what, validation)
        rows.append(
            f"| {what} | {match.group(2)} | {validation} | {float(match.group(1)):.2f}% | "
            f"{float(last['accuracy']) * 100:.1f}% |"
        )
        print(f"  candidate {number}: {rows[-1]}", file=sys.stderr, flush=True)
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--best", action="store_true", help="also cnn-best (long)")
    parser.add_argument("--no-cnn", action="store_true", help="leave the cnn preset out")
    parser.add_argument("--pictures", action="store_true", help="also write docs/ pictures")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--candidates", action="store_true", help="also the presets' candidates")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline = numpy_baseline_mb(folder)
        sys.path.insert(0, str(DOCS))
        from measured import write_table

        if args.candidates:
            command = "python docs/cnn_figures.py --candidates --no-cnn"
            write_table(DOCS / "results.md", "cnn-candidates", candidate_table(folder), command)
        rows = []
        if not args.no_cnn:
            rows.append(table_row("cnn", preset_runs("cnn", args.seeds, folder), baseline))
        if args.best:
            rows.append(
                table_row("cnn-best", preset_runs("cnn-best", args.seeds, folder), baseline)
            )
        table = "\n".join([
            "| preset | test accuracy, seeds " + " / ".join(map(str, args.seeds)) + " | mean "
            "| wall time of the command | peak memory above Python + NumPy |",
            "|---|---|---|---|---|",
            *rows,
        ]) + f"\n\n(Python with NumPy imported: {baseline:.0f} MB resident.)\n"  # fmt: skip
        if args.best and not args.no_cnn:  # the whole table of docs/results.md
            command = "python docs/cnn_figures.py --best"
            write_table(DOCS / "results.md", "cnn-presets", table, command)
        elif rows:
            print(table)
        if args.pictures:
            model = folder / "cnn-0.npz"
            if not model.exists():
                argv = [sys.executable, "-m", "digitnet", "train", "--preset", "cnn", "--quiet"]
                run([*argv, "--out", str(model)], folder)
            pictures = folder / "pictures"
            argv = [sys.executable, "-m", "digitnet", "plot", str(model), "--out", str(pictures)]
            run(argv, folder)
            for name in ("filters-1.png", "filters-2.png", "feature_maps.png"):
                shutil.copy(pictures / name, DOCS / f"cnn-{name}")
                print(f"wrote docs/cnn-{name}")
            sys.path.insert(0, str(DOCS))
            from make_pictures import screenshot  # the drawing page, as for serve.png

            screenshot(model, DOCS / "cnn-serve.png", digit=5)
            print("wrote docs/cnn-serve.png")


if __name__ == "__main__":
    main()
