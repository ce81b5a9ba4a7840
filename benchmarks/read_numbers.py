"""How well a trained network reads whole numbers, by length, spacing and photo condition.

    python benchmarks/read_numbers.py MODEL [MODEL...] [--n 200] [--json out.json]
    python benchmarks/read_numbers.py mlp.npz cnn.npz --n 100 --phone 20 --write-docs

`--write-docs` writes a table per model, and p, into docs/numbers.md (models named mlp and cnn).

Numbers are made of MNIST *test* digits (the segmentation was tuned on numbers of training
digits only) by tests/number_pictures.py: 1 to 8 digits, heights varying by about 20%, the
baseline slightly slanted; the gaps wide, close, touching (neighbours' strokes meet) or
overlapping (they cross a little); on clean paper, and "photographed" under the conditions of
tests/photos.py; and written small (a line 40-80 pixels tall) on a 12-megapixel phone photo with
the light falling off towards the corners, read from a JPEG file as `digitnet predict` reads it;
and, if scikit-learn is installed, numbers of the UCI 8x8 digits it ships (43 writers).
Every picture goes through digitnet.reading.read_number, as `digitnet predict` does; a picture
it refuses counts as wrong. Reported: whole-number accuracy (every digit right, none added or
lost), per-digit accuracy (1 - edit distance / length), the share with a digit added or lost,
and the bound the single-digit accuracy sets, p ** length, with p measured on one-digit pictures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from number_pictures import CONDITIONS, compose, number_photo, phone_photo  # noqa: E402

import digitnet as dn  # noqa: E402
from digitnet.data.preprocess import picture_array  # noqa: E402
from digitnet.errors import DigitnetError  # noqa: E402
from digitnet.reading import read_number  # noqa: E402


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: digits changed, added or lost."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def score(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Whole-number and per-digit accuracy, and the share with a digit added or lost."""
    return {
        "whole": float(np.mean([got == truth for truth, got in pairs])),
        "per_digit": float(
            np.mean([max(0.0, 1 - edit_distance(truth, got) / len(truth)) for truth, got in pairs])
        ),
        "added_or_lost": float(np.mean([len(got) != len(truth) for truth, got in pairs])),
        "n": len(pairs),
    }


def read(model, picture, truth: str) -> tuple[str, str]:
    try:
        return truth, read_number(model, picture).text
    except DigitnetError:
        return truth, "?"


def case(images, labels, rng, length: int, spacing: str):
    """A random number of `length` test digits, composed, and its text."""
    index = rng.integers(0, len(labels), length)
    page, _ = compose(images[index], rng, spacing)
    return page, "".join(str(d) for d in labels[index])


def spacing_rows(model, images, labels, n: int, seed: int) -> dict[str, dict]:
    """Numbers of four digits: each spacing clean and with every photo condition together;
    each photo condition alone on numbers whose digits do not touch."""
    rows = {}
    for spacing in ("wide", "close", "touching", "overlapping"):
        for conditions, label in (((), "clean"), (CONDITIONS, "all conditions")):
            rng = np.random.default_rng([seed, len(rows)])
            pairs = []
            for _ in range(n):
                page, truth = case(images, labels, rng, 4, spacing)
                photo = number_photo(page, rng, conditions)
                pairs.append(read(model, picture_array(photo), truth))
            rows[f"4 digits, {spacing}, {label}"] = score(pairs)
    for condition in CONDITIONS:
        rng = np.random.default_rng([seed, len(rows)])
        pairs = []
        for k in range(n // 2):
            page, truth = case(images, labels, rng, 4, ("wide", "close")[k % 2])
            photo = number_photo(page, rng, (condition,))
            pairs.append(read(model, picture_array(photo), truth))
        rows[f"4 digits, not touching, {condition}"] = score(pairs)
    return rows


def length_rows(model, images, labels, n: int, seed: int) -> dict[str, dict]:
    """Numbers of 1 to 8 digits whose digits do not touch (wide and close gaps), clean."""
    rows = {}
    for length in range(1, 9):
        rng = np.random.default_rng([seed, 100 + length])
        count = max(1000, n) if length == 1 else n  # p, the bound's base: measured closely
        pairs = []
        for k in range(count):
            page, truth = case(images, labels, rng, length, ("wide", "close")[k % 2])
            pairs.append(read(model, picture_array(number_photo(page, rng)), truth))
        rows[f"{length} digit{'s' if length > 1 else ''}, not touching, clean"] = score(pairs)
    return rows


def phone_rows(model, images, labels, n: int, seed: int) -> tuple[dict[str, dict], float]:
    """Small writing (a line 40-80 px tall) on 12-MP phone photos, read from JPEG files: one
    digit, and four; and the median seconds per photo."""
    rows, seconds = {}, []
    with tempfile.TemporaryDirectory() as folder:
        for length in (1, 4):
            rng = np.random.default_rng([seed, 200 + length])
            pairs = []
            for k in range(n):
                index = rng.integers(0, len(labels), length)
                page, _ = compose(images[index], rng, "wide", height=int(rng.integers(40, 81)))
                path = Path(folder) / f"photo{k}.jpg"
                phone_photo(page, rng).save(path, quality=90)
                started = time.perf_counter()
                pairs.append(read(model, path, "".join(str(d) for d in labels[index])))
                seconds.append(time.perf_counter() - started)
            rows[f"{length} digit{'s' if length > 1 else ''}, 12-MP phone photo"] = score(pairs)
    return rows, float(np.median(seconds))


def uci_rows(model, n: int, seed: int) -> dict[str, dict]:
    """Numbers of four UCI digits (8x8, 43 writers; scikit-learn ships them) whose digits do not
    touch, clean and photographed under every condition; empty without scikit-learn."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return {}
    uci = load_digits()
    images, labels = uci.images / 16, uci.target
    rows = {}
    for conditions, label in (((), "clean"), (CONDITIONS, "all conditions")):
        rng = np.random.default_rng([seed, 300 + len(rows)])
        pairs = []
        for k in range(n):
            page, truth = case(images, labels, rng, 4, ("wide", "close")[k % 2])
            pairs.append(read(model, picture_array(number_photo(page, rng, conditions)), truth))
        rows[f"4 UCI digits, not touching, {label}"] = score(pairs)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", metavar="MODEL")
    parser.add_argument("--n", type=int, default=200, help="numbers per row (200)")
    parser.add_argument("--phone", type=int, default=40, help="12-MP photos per row (40)")
    parser.add_argument("--json", help="also write the results as JSON")
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="write the tables into docs/numbers.md (models named mlp.npz and cnn.npz)",
    )
    args = parser.parse_args(argv)
    if args.write_docs and sorted(Path(name).stem for name in args.models) != sorted(TABLES):
        parser.error("--write-docs reads two models, named mlp and cnn (mlp.npz cnn.npz)")
    (_, _), (X_test, y_test) = dn.load_mnist()
    images = X_test.reshape(-1, 28, 28)
    report = {}
    for name in args.models:
        model = dn.load_model(name)
        started = time.perf_counter()
        rows = length_rows(model, images, y_test, args.n, seed=0)
        rows |= spacing_rows(model, images, y_test, args.n, seed=0)
        phone, seconds = phone_rows(model, images, y_test, args.phone, seed=0)
        rows |= phone
        rows |= uci_rows(model, args.n, seed=0)
        single = rows["1 digit, not touching, clean"]["whole"]
        report[name] = {
            "rows": rows,
            "single_digit": single,
            "seconds_per_12mp_photo": seconds,
            "seconds": time.perf_counter() - started,
        }
        print(f"{name}: done in {report[name]['seconds']:.0f} s", file=sys.stderr, flush=True)
    for name in report:
        print(markdown_table(name, report[name]) + "\n")
    print(p_line(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    if args.write_docs:
        from docs_tables import write_docs

        models = " ".join(Path(name).name for name in args.models)
        command = (
            f"python benchmarks/read_numbers.py {models} --n {args.n} --phone {args.phone} "
            "--write-docs"
        )
        for name in report:
            write_docs(
                "numbers.md", TABLES[Path(name).stem], markdown_table(name, report[name]), command
            )
        write_docs("numbers.md", "numbers-read-p", p_line(report), command)


TABLES = {"mlp": "numbers-read-mlp", "cnn": "numbers-read-cnn"}  # --write-docs: model, table


def markdown_table(name: str, result: dict) -> str:
    """One model's Markdown table: a row per kind of number, whole / per digit / added or lost,
    and the bound p ** length. Short cells: it fits the docs' text column."""
    lines = [
        f"| `{Path(name).stem}`: numbers (n) | whole | per digit | added or lost | bound |",
        "|---|---|---|---|---|",
    ]
    for row, r in result["rows"].items():
        bound = result["single_digit"] ** int(row.split()[0])
        lines.append(
            f"| {row} ({r['n']}) | {r['whole']:.1%} | {r['per_digit']:.1%} "
            f"| {r['added_or_lost']:.1%} | {bound:.1%} |"
        )
    return "\n".join(lines)


def p_line(report: dict) -> str:
    """p, one digit through this reading, per model (the bound's base); and the median time of
    reading a 12-MP photo."""
    each = ", ".join(f"{r['single_digit']:.1%} for `{Path(n).stem}`" for n, r in report.items())
    times = ", ".join(
        f"{r['seconds_per_12mp_photo']:.2f} s with `{Path(n).stem}`" for n, r in report.items()
    )
    return (
        f"One digit through this reading, p: {each}. A 12-megapixel photo takes {times} "
        "(median; decoding the JPEG included)."
    )


if __name__ == "__main__":
    main()
