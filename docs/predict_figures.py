"""Produce the measured tables of docs/predict.md: the photo benchmark before and after the photo
preprocessing, and the default MLP against the cnn preset on the handwriting benchmarks.

    mkdir -p /tmp/predict-before && git archive 12af46d src | tar -x -C /tmp/predict-before
    python docs/predict_figures.py --before /tmp/predict-before/src

OLD/src (--before) is the src/ of the digitnet before the photo preprocessing: 12af46d, the
parent of aee536b, which read pictures as grayscale and judged the page by the median of the
border. Trains the default MLP and the cnn preset (seed 0, 2 threads) in fresh processes in a
temporary folder. Photographs 100 MNIST test digits and 100 UCI digits (--n) under each
condition of benchmarks/photos.py, and renders the pictures of benchmarks/handwriting.py. A
process with OLD/src on PYTHONPATH turns every picture into the network's 28x28 input as that
digitnet did (it cannot read today's model files, version 2: it only prepares the inputs);
another does the same with this tree's digitnet. Each model then reads both sets of inputs. The
three tables go into docs/predict.md with the machine and the day (docs/measured.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
COMMAND = "python docs/predict_figures.py --before OLD/src"
RESULT = re.compile(r"test accuracy: ([\d.]+)%")
MODELS = {"mlp": [], "cnn": ["--preset", "cnn"]}


def benchmarks():
    """benchmarks/photos.py and benchmarks/handwriting.py, with the digitnet on the path."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import handwriting

    # by its path: the benchmark imports tests/photos.py, which has the same name
    spec = importlib.util.spec_from_file_location(
        "photos_benchmark", ROOT / "benchmarks/photos.py"
    )
    photos = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(photos)
    return photos, handwriting


def uci_digits():
    """scikit-learn's UCI 8x8 digits (Bunch with .images in 0-16 and .target)."""
    from sklearn.datasets import load_digits

    return load_digits()


def inputs(n: int) -> dict[str, np.ndarray]:
    """Every benchmark picture as the digitnet on the path turns it into the network's input:
    fields (k, 784) and which were read (a refused picture counts as wrong)."""
    import digitnet as dn

    photos, handwriting = benchmarks()
    (_, _), (X_test, _) = dn.load_mnist()
    uci = uci_digits()
    out = {}
    for name, digits in (
        ("MNIST", X_test[:n].reshape(-1, 28, 28)),
        ("UCI", photos.uci_sample(n)[0]),
    ):
        for row, conditions in photos.PLAN.items():
            out[f"{name}|{row}"], out[f"{name}|{row}|read"] = photos.photo_fields(
                digits, conditions, seed=0
            )
            print(f"{dn.__version__}: photos of {name} digits, {row}", file=sys.stderr, flush=True)
    pictures = {
        "rendered": handwriting.rendered_pictures()[0],
        "strokes": handwriting.stroke_pictures()[0],
        # as handwriting.py's main: 16 grey levels as 8-bit pixels
        "uci": [np.uint8(image * 255 / 16) / np.float32(255) for image in uci.images],
    }
    for name, group in pictures.items():
        fields, read = np.zeros((len(group), 784), np.float32), np.zeros(len(group), bool)
        for i, picture in enumerate(group):
            try:
                fields[i] = handwriting.to_mnist(picture).ravel()
            except photos.DigitnetError:
                continue
            read[i] = True
        out[name], out[f"{name}|read"] = fields, read
    return out


def labels(n: int) -> dict[str, np.ndarray]:
    """The true digit of each input of `inputs`."""
    import digitnet as dn

    photos, handwriting = benchmarks()
    (_, _), (_, y_test) = dn.load_mnist()
    return {
        "MNIST": y_test[:n],
        "UCI": photos.uci_sample(n)[1],
        "rendered": y_test[:1000],
        "strokes": handwriting.stroke_pictures()[1],
        "uci": uci_digits().target,
    }


def start_inputs(src: Path, out: Path, n: int) -> subprocess.Popen:
    """A process that writes `inputs(n)` of the digitnet in `src` into `out`."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "--inputs-into", str(out), "--n", str(n)]
    return subprocess.Popen(command, env=env, cwd=ROOT)


def train(name: str, folder: Path) -> tuple[Path, str]:
    """Train `name` (seed 0, 2 threads) in a fresh process; its file and its test accuracy."""
    out = folder / f"{name}.npz"
    command = [sys.executable, "-m", "digitnet", "train", *MODELS[name], "--seed", "0"]
    command += ["--threads", "2", "--out", str(out), "--quiet"]
    printed = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    accuracy = RESULT.search(printed)[1] + "%"
    print(f"{name}: {accuracy} on MNIST's test set", flush=True)
    return out, accuracy


def scores(model, fields: dict, truth: dict) -> dict[str, np.ndarray]:
    """Which inputs `model` reads right, per set of inputs (refused pictures: wrong)."""
    right = {}
    for key, expected in truth.items():
        read = fields[f"{key}|read"]
        right[key] = np.zeros(len(expected), bool)
        if read.any():
            right[key][read] = model.predict(fields[key][read]) == expected[read]
    return right


def photo_scores(model, fields, truth, rows) -> dict[str, float]:
    """Accuracy per photo set and condition: "MNIST|clean", ..."""
    keyed = {f"{name}|{row}": truth[name] for name in ("MNIST", "UCI") for row in rows}
    return {key: float(np.mean(right)) for key, right in scores(model, fields, keyed).items()}


def pct(share: float, digits: int = 1) -> str:
    """A share as a percentage with `digits` decimals."""
    return f"{100 * share:.{digits}f}%"


def pair(a: str, b: str, a_share: float, b_share: float) -> tuple[str, str]:
    """The two cells, the higher in bold when they differ."""
    if round(a_share, 3) == round(b_share, 3):
        return a, b
    return (f"**{a}**", b) if a_share > b_share else (a, f"**{b}**")


def photos_table(before: dict, now: dict, rows, n: int) -> str:
    """The photo benchmark's accuracy per condition, before and now, MNIST and UCI digits."""
    lines = [
        "| condition | MNIST, before | MNIST, now | UCI, before | UCI, now |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        cells = []
        for name in ("MNIST", "UCI"):
            old, new = before[f"{name}|{row}"], now[f"{name}|{row}"]
            cells += pair(pct(old), pct(new), old, new)
        label = f"**{row}**" if row.startswith("all together") else row
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return f"{n} digits per condition.\n\n" + "\n".join(lines)


def per_digit(right: np.ndarray, truth: np.ndarray, digit: int) -> float:
    """The share of the pictures of `digit` read right."""
    return float(np.mean(right[truth == digit]))


def handwriting_table(before: dict, now: dict, truth: dict, originals: float) -> str:
    """The default MLP on the handwriting benchmark's pictures, before and now."""
    rows = [
        ("MNIST test digits rendered large (1,000)", "rendered", None),
        ("digits written as pen strokes (200)", "strokes", None),
        ("UCI handwritten digits (1,797)", "uci", None),
        ("UCI: its 1s", "uci", 1),
        ("UCI: its 9s", "uci", 9),
    ]
    lines = ["| the default MLP on | before | now |", "|---|---|---|"]
    for label, key, digit in rows:
        if digit is None:
            old, new = float(np.mean(before[key])), float(np.mean(now[key]))
            cells = pair(pct(old), pct(new), old, new)
        else:
            old, new = (per_digit(r[key], truth[key], digit) for r in (before, now))
            cells = pair(pct(old, 0), pct(new, 0), old, new)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + (
        f"\n\nThe same 1,000 MNIST digits as 28x28 originals, without preprocessing: "
        f"{pct(originals)}."
    )


def cnn_table(accuracies: dict, hand: dict, photo: dict, truth: dict) -> str:
    """The default MLP beside the cnn preset on every benchmark, through today's reading."""
    lines = ["| | MLP (default) | CNN (`--preset cnn`) |", "|---|---|---|"]

    def add(label, mlp, cnn, digits=1):
        cells = pair(pct(mlp, digits), pct(cnn, digits), mlp, cnn)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    lines.append(f"| MNIST's test set (10,000) | {accuracies['mlp']} | {accuracies['cnn']} |")
    for label, key in (
        ("MNIST test digits rendered large (1,000)", "rendered"),
        ("digits written as pen strokes (200)", "strokes"),
        ("UCI handwritten digits (1,797)", "uci"),
    ):
        add(label, float(np.mean(hand["mlp"][key])), float(np.mean(hand["cnn"][key])))
    for digit in (1, 9):
        mlp, cnn = (per_digit(hand[m]["uci"], truth["uci"], digit) for m in ("mlp", "cnn"))
        add(f"UCI: its {digit}s", mlp, cnn, 0)
    for name in ("MNIST", "UCI"):
        for row, label in (
            ("clean", "clean"),
            ("all together", "all conditions"),
            ("all together, small in frame", "all, small in frame"),
        ):
            add(
                f"{name} photos, {label}",
                photo["mlp"][f"{name}|{row}"],
                photo["cnn"][f"{name}|{row}"],
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--before", type=Path, metavar="OLD/src", help="the src/ of the digitnet before (12af46d)"
    )
    parser.add_argument("--n", type=int, default=100, help="digits per photo condition (100)")
    parser.add_argument("--inputs-into", type=Path, help=argparse.SUPPRESS)  # the inputs' process
    args = parser.parse_args()
    if args.inputs_into:
        np.savez(args.inputs_into, **inputs(args.n))
        return
    if args.before is None or not (args.before / "digitnet" / "preprocess.py").exists():
        parser.error("--before OLD/src: the src/ of the digitnet before photo preprocessing")
    import digitnet as dn

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        workers = {
            "before": start_inputs(args.before.resolve(), folder / "before.npz", args.n),
            "now": start_inputs(ROOT / "src", folder / "now.npz", args.n),
        }
        models, accuracies = {}, {}
        for name in MODELS:
            path, accuracies[name] = train(name, folder)
            models[name] = dn.load_model(path)
        for name, worker in workers.items():
            if worker.wait():
                raise SystemExit(f"preparing the inputs {name} failed")
        fields = {name: dict(np.load(folder / f"{name}.npz")) for name in workers}
    truth = labels(args.n)
    photos, _ = benchmarks()
    rows = list(photos.PLAN)
    hand_truth = {key: truth[key] for key in ("rendered", "strokes", "uci")}
    hand = {
        (model, version): scores(models[model], fields[version], hand_truth)
        for model in models
        for version in fields
    }
    photo = {
        (model, version): photo_scores(models[model], fields[version], truth, rows)
        for model in models
        for version in fields
    }
    (_, _), (X_test, y_test) = dn.load_mnist()
    originals = float(np.mean(models["mlp"].predict(X_test[:1000]) == y_test[:1000]))

    sys.path.insert(0, str(DOCS))
    from measured import write_table

    page = DOCS / "predict.md"
    command = COMMAND + (f" --n {args.n}" if args.n != 100 else "")
    table = photos_table(photo["mlp", "before"], photo["mlp", "now"], rows, args.n)
    print(table)
    write_table(page, "photos-before-and-now", table, command)
    table = handwriting_table(hand["mlp", "before"], hand["mlp", "now"], truth, originals)
    print(table)
    write_table(page, "handwriting-before-and-now", table, command)
    table = cnn_table(
        accuracies,
        {model: hand[model, "now"] for model in models},
        {model: photo[model, "now"] for model in models},
        truth,
    )
    print(table)
    write_table(page, "mlp-against-cnn-on-handwriting", table, command)
    for model in models:
        right = hand[model, "now"]["uci"]
        digits = " ".join(pct(per_digit(right, truth["uci"], d), 0) for d in range(10))
        print(f"{model} on UCI, per digit 0-9: {digits}")


if __name__ == "__main__":
    main()
