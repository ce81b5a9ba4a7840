"""Produce the figures and sample outputs the README and docs/ show, by running digitnet's own
commands.

    python docs/readme_figures.py             # about 2 minutes on 2 cores
    python docs/readme_figures.py --frontier  # instead: best, best-small, the ablation (~20 min)
    python docs/readme_figures.py --augmentation  # instead: speed.md's share of augmenting

Writes the table of the reference network's recipes (three seeds where the docs give three) and
the `--preset fast` figures into docs/results.md, each with the machine and the day
(docs/measured.py), and prints Markdown to paste into the README and docs/cli.md: the sample
output of `digitnet train`, `gradcheck`, `evaluate --json`, `predict` on photo-like pictures
(one sure, one unsure), the not-learning hint, and the Kaggle round trip (`predict test.csv --out
submission.csv` scored against the true labels). With --frontier, only the tables of `best` and
`best-small` and of the ablation, written into docs/results.md likewise; with --augmentation,
only the share of the first epochs of those two presets spent distorting the images, into
docs/speed.md. The photo benchmark has a script of its own: benchmarks/photos.py.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parent
sys.path[:0] = [str(DOCS.parent / "tests"), str(DOCS)]
from measured import write_table  # noqa: E402
from photos import photograph  # noqa: E402

RESULT = re.compile(r"(test|validation) accuracy: ([\d.]+)% .* in ([\d.]+)s")
AUGMENTED_EPOCH = re.compile(
    r"^epoch\s+\d+/\d+ .* ([\d.]+)s\s+([\d,]+) img/s \(augmenting (\d+)%\)$", re.MULTILINE
)
RECIPES = [  # (what, flags, seeds)
    ("**default**: Adam, lr 0.001 with cosine decay, batch 128, 20 epochs", [], (0, 1, 2)),
    ("Adam, constant lr 0.001, batch 128, 20 epochs", ["--schedule", "constant"], (0, 1, 2)),
    (
        "the original recipe: plain gradient descent, lr 0.001, batch 32, 20 epochs",
        ["--optimizer", "gd", "--lr", "0.001", "--batch-size", "32", "--schedule", "constant"],
        (0,),
    ),
    (
        "plain gradient descent, lr 0.1, batch 32, 20 epochs",
        ["--optimizer", "gd", "--lr", "0.1", "--batch-size", "32", "--schedule", "constant"],
        (0,),
    ),
    ("`--preset fast` (see below)", ["--preset", "fast"], (0, 1, 2)),
]
FRONTIER = [  # (preset, network, recipe)
    (
        "best",
        "784-800-800-10 ReLU",
        "SGD + Nesterov 0.9, warm-up 1 epoch to lr 0.05, cosine decay, batch 128, elastic + "
        "affine distortions, 60 epochs",
    ),
    (
        "best-small",
        "784-128-64-10 ReLU (the reference)",
        "the same optimizer and schedule, affine distortions, 40 epochs",
    ),
]
# What each technique adds to the reference network, chosen on a validation split (seed 0).
ABLATION_BASE = ["--optimizer", "nesterov", "--lr", "0.05", "--epochs", "40"]
SCHEDULE = ["--schedule", "cosine", "--warmup-epochs", "1"]
ABLATION = [
    ("baseline: constant learning rate", ["--schedule", "constant"]),
    ("+ warm-up and cosine schedule", SCHEDULE),
    ("+ random affine distortions (= `best-small`)", [*SCHEDULE, "--augment", "affine"]),
    ("+ dropout 0.1 on the hidden layers", [*SCHEDULE, "--augment", "affine", "--dropout", "0.1"]),
    (
        "+ weight decay 5e-4 (instead of dropout)",
        [*SCHEDULE, "--augment", "affine", "--weight-decay", "5e-4"],
    ),
    ("elastic instead of affine distortions", [*SCHEDULE, "--augment", "elastic"]),
]


def digitnet(*args: str, cwd: Path | None = None) -> str:
    """Run `python -m digitnet ARGS` (in folder `cwd`) and return what it printed on stdout."""
    command = [sys.executable, "-m", "digitnet", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True, cwd=cwd).stdout


def train(flags: list[str], seed: int, folder: Path) -> dict:
    """One `digitnet train` run in a folder of its own: its output, test and train accuracy,
    seconds of training, wall seconds of the whole command, and the model file."""
    folder.mkdir(parents=True)
    argv = ["train", *flags, "--seed", str(seed), "--out", "model.npz", "--history", "history.csv"]
    start = time.perf_counter()
    output = digitnet(*argv, cwd=folder)
    wall = time.perf_counter() - start
    match = RESULT.search(output)
    header, *rows = (folder / "history.csv").read_text().splitlines()
    last, column = rows[-1], header.split(",").index("loss")
    return {
        "losses": [float(row.split(",")[column]) for row in rows],
        "output": output,
        "test": float(match.group(2)),
        "seconds": float(match.group(3)),
        "wall": wall,
        "train": float(last.split(",")[header.split(",").index("accuracy")]) * 100,
        "val": float(last.split(",")[header.split(",").index("val_accuracy")]) * 100,
        "model": folder / "model.npz",
    }


def frontier_table(tmp: Path) -> str:
    """The presets best and best-small over seeds 0-2: accuracy and wall time of the command."""
    rows = ["| preset | network | recipe | test accuracy, seeds 0 / 1 / 2 | mean | wall time |"]
    rows.append("|---|---|---|---|---|---|")
    for preset, network, recipe in FRONTIER:
        runs = [train(["--preset", preset], seed, tmp / f"{preset}/{seed}") for seed in (0, 1, 2)]
        tests = [r["test"] for r in runs]
        walls = sorted(r["wall"] for r in runs)
        rows.append(
            f"| `{preset}` | {network} | {recipe} | "
            + " / ".join(f"{t:.2f}%" for t in tests)
            + f" | {np.mean(tests):.2f}% (spread {max(tests) - min(tests):.2f}) | "
            f"{walls[0]:.0f}-{walls[-1]:.0f} s |"
        )
        print(f"  measured: {preset}", file=sys.stderr)
    return "\n".join(rows)


def augmenting_sentence(tmp: Path, epochs: int = 5) -> str:
    """What share of the first epochs of each frontier preset (seed 0) goes into distorting
    the images, from the epoch lines of a run of that many epochs."""
    parts = []
    for preset, _, _ in FRONTIER:
        flags = ["--preset", preset, "--epochs", str(epochs)]
        output = train(flags, 0, tmp / f"augmenting-{preset}")["output"]
        lines = AUGMENTED_EPOCH.findall(output)
        assert len(lines) == epochs, output
        seconds = [float(line[0]) for line in lines]
        speeds = [int(line[1].replace(",", "")) for line in lines]
        shares = [int(line[2]) for line in lines]
        parts.append(
            f"`--preset {preset}` {min(shares)}-{max(shares)}% ({min(seconds):.1f}-"
            f"{max(seconds):.1f} s per epoch, {min(speeds):,}-{max(speeds):,} images/s)"
        )
    return (
        f"In {epochs}-epoch runs of seed 0 (`--epochs {epochs}`), the share is: "
        + "; ".join(parts)
        + "."
    )


def ablation_table(tmp: Path) -> str:
    """What each technique adds to the reference network, on a validation split (seed 0)."""
    rows = ["| recipe | validation accuracy | test accuracy | s/epoch |", "|---|---|---|---|"]
    for number, (what, flags) in enumerate(ABLATION):
        flags = [*ABLATION_BASE, *flags, "--validation-split", "0.1"]
        run = train(flags, 0, tmp / f"ablation{number}")
        epochs = int(ABLATION_BASE[-1])
        rows.append(
            f"| {what} | {run['val']:.2f}% | {run['test']:.2f}% | {run['seconds'] / epochs:.2f} |"
        )
        print(f"  measured: {what}", file=sys.stderr)
    return "\n".join(rows)


def sample_output(output: str) -> str:
    """The first epoch lines and the last, as the README's sample shows them."""
    lines = output.strip().splitlines()
    epochs = [i for i, line in enumerate(lines) if line.startswith("epoch")]
    kept = lines[: epochs[0] + 1] + ["..."] + lines[epochs[-1] :]
    return "```\n" + "\n".join(kept) + "\n```"


def results_table(recipes, tmp: Path) -> tuple[str, dict]:
    """The Markdown table of recipes x seeds, and every run by recipe."""
    rows = ["| recipe | command | test accuracy (seeds) | train accuracy | time |"]
    rows.append("|---|---|---|---|---|")
    runs = {}
    for number, (what, flags, seeds) in enumerate(recipes):
        runs[what] = [train(flags, seed, tmp / f"recipe{number}/seed{seed}") for seed in seeds]
        tests = ", ".join(f"{r['test']:.2f}%" for r in runs[what])
        trains = sorted(r["train"] for r in runs[what])
        times = sorted(r["seconds"] for r in runs[what])
        train_text, time_text = span(trains, "{:.1f}%"), span(times, "{:.1f} s")
        command = "`digitnet train" + "".join(f" {f}" for f in flags) + "`"
        seeds_text = f" ({', '.join(map(str, seeds))})"
        rows.append(f"| {what} | {command} | {tests}{seeds_text} | {train_text} | {time_text} |")
        print(f"  measured: {what}", file=sys.stderr)
    return "\n".join(rows), runs


def span(values: list[float], form: str) -> str:
    """'low-high' of sorted values in `form`, or one value where they print the same."""
    low, high = form.format(values[0]), form.format(values[-1])
    return low if low == high else f"{low.split()[0].rstrip('%')}-{high}"


def fast_preset_sentence(runs: list[dict]) -> str:
    """The description of --preset fast (docs/results.md), from settings.PRESETS and the runs."""
    from digitnet.training.settings import PRESETS

    fast = PRESETS["fast"]
    tests = ", ".join(f"{r['test']:.2f}%" for r in runs)
    walls = sorted(r["wall"] for r in runs)
    return (
        f"`digitnet train --preset fast`: SGD with Nesterov momentum 0.9, batch "
        f"{fast['batch_size']}, the learning rate rising linearly to {fast['lr']} over "
        f'{fast["warmup_epochs"]} epochs and then decaying to 0 along a cosine ("one-cycle"), '
        f"{fast['epochs']} epochs. Measured: {tests} for seeds 0, 1, 2, in "
        f"{span(walls, '{:.1f} s')} for the whole command, start to saved model."
    )


def predict_samples(model: Path, tmp: Path) -> str:
    """`digitnet predict` on a photo-like picture it is sure of, and on one it is not."""
    import digitnet as dn

    (_, _), (X_test, _) = dn.load_mnist()
    loaded = dn.load_model(model)
    rng = np.random.default_rng(0)
    sure = tmp / "photo_of_a_seven.jpg"
    photograph(X_test[0].reshape(28, 28), rng).save(sure, quality=85)
    from digitnet.data.preprocess import load_image, to_mnist

    for i in range(1, 2000):  # the first photo-like test digit that the model is unsure of
        unsure = tmp / f"photo_{i}.jpg"
        photograph(X_test[i].reshape(28, 28), rng).save(unsure, quality=85)
        probs = loaded.predict_proba(to_mnist(load_image(unsure)).reshape(1, -1))[0]
        if probs.max() < 0.8:
            break
    output = digitnet("predict", str(model), sure.name, unsure.name, cwd=tmp)
    return "```\n$ digitnet predict model.npz " + f"{sure.name} {unsure.name}\n{output}```"


def hint_sample(tmp: Path) -> str:
    """The hint `digitnet train` prints after the first epoch of a network that does not learn."""
    flags = ["--activation", "sigmoid", "--optimizer", "gd", "--lr", "0.001", "--epochs", "3"]
    output = digitnet("train", *flags, "--out", str(tmp / "stuck.npz"))
    return (
        "```\n" + next(line for line in output.splitlines() if line.startswith("hint")) + "\n```"
    )


def kaggle_round_trip(model: Path, tmp: Path) -> str:
    """Kaggle's test.csv layout (pixel0..pixel783, no label) from MNIST's test set, through
    `predict --out`, scored against the true labels."""
    import digitnet as dn

    (_, _), (X_test, y_test) = dn.load_mnist(dtype="uint8")
    test_csv = tmp / "test.csv"
    header = ",".join(f"pixel{i}" for i in range(784))
    test_csv.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in X_test) + "\n")
    start = time.perf_counter()
    printed = digitnet("predict", str(model), "test.csv", "--out", "submission.csv", cwd=tmp)
    seconds = time.perf_counter() - start
    lines = (tmp / "submission.csv").read_text().splitlines()
    labels = np.array([int(line.split(",")[1]) for line in lines[1:]])
    return (
        "```\n$ digitnet predict model.npz test.csv --out submission.csv\n"
        f"{printed}$ head -3 submission.csv\n" + "\n".join(lines[:3]) + "\n```\n"
        f"{len(labels)} rows in {seconds:.1f} s (the whole command); against the true labels "
        f"{np.mean(labels == y_test):.2%} right."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--frontier", action="store_true", help="only the tables of best, best-small, ablation"
    )
    parser.add_argument(
        "--augmentation", action="store_true", help="only speed.md's share of augmenting"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.augmentation:
            command = "python docs/readme_figures.py --augmentation"
            sentence = augmenting_sentence(tmp)
            write_table(DOCS / "speed.md", "augmentation-share", sentence, command)
            return
        if args.frontier:
            command = "python docs/readme_figures.py --frontier"
            write_table(DOCS / "results.md", "mlp-frontier", frontier_table(tmp), command)
            write_table(DOCS / "results.md", "mlp-ablation", ablation_table(tmp), command)
            return
        table, runs = results_table(RECIPES, tmp)
        default = runs[RECIPES[0][0]][0]
        print("## sample output of `digitnet train`\n")
        print(sample_output(default["output"]))
        command = "python docs/readme_figures.py"
        write_table(DOCS / "results.md", "reference-network", table, command)
        original = runs[RECIPES[2][0]][0]["losses"]
        print(f"\n(the original recipe's training loss: {original[9]:.2f} after epoch 10, ")
        print(f"{original[-1]:.2f} after epoch {len(original)})")
        sentence = fast_preset_sentence(runs[RECIPES[-1][0]])
        write_table(DOCS / "results.md", "fast-preset", sentence, command)
        print("\n## gradcheck\n")
        print("```\n" + digitnet("gradcheck") + "```")
        print("\n## evaluate --json\n")
        print("```\n" + digitnet("evaluate", str(default["model"]), "--json") + "```")
        print("\n## predict\n")
        print(predict_samples(default["model"], tmp))
        print("\n## hint\n")
        print(hint_sample(tmp))
        print("\n## Kaggle round trip\n")
        print(kaggle_round_trip(default["model"], tmp))


if __name__ == "__main__":
    main()
