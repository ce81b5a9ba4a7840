"""Does reading numbers change what a picture of one digit reads? The pictures of the photo and
handwriting benchmarks, read both ways: as `digitnet predict --digit` reads them (to_mnist, then
the network) and as `digitnet predict` now does (reading.read_number).

    python benchmarks/single_digit_parity.py MODEL [MODEL...] [--n 300] [--write-docs]

Prints, per model and benchmark, how many answers are the same, how many differ (and how: another
digit, several digits, or refused; each that differs as "label read digit -> number", ? if
refused), with the accuracy both ways. `--write-docs` writes the counts of pictures read the same,
per model, into docs/numbers.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(1, str(HERE))  # after tests/: its photos.py is the pictures
from handwriting import rendered_pictures, stroke_pictures  # noqa: E402
from photos import PLAN, photograph  # noqa: E402

import digitnet as dn  # noqa: E402
from digitnet.data.preprocess import picture_array, to_mnist  # noqa: E402
from digitnet.errors import DigitnetError  # noqa: E402
from digitnet.reading import read_number  # noqa: E402


def both_ways(model, picture) -> tuple[str, str]:
    """The answer of one digit per picture and of the number reader ("?" when refused)."""
    try:
        digit = str(model.predict(to_mnist(picture).reshape(1, -1))[0])
    except DigitnetError:
        digit = "?"
    try:
        number = read_number(model, picture).text
    except DigitnetError:
        number = "?"
    return digit, number


def report(name: str, answers: list[tuple[str, str]], labels) -> int:
    """A line: same / different, and how they differ, and the accuracy both ways; returns how
    many read the same."""
    truth = [str(t) for t in labels]
    same = sum(a == b for a, b in answers)
    several = sum(len(b) > 1 for a, b in answers if a != b)
    refused = sum(b == "?" for a, b in answers if a != b)
    other = len(answers) - same - several - refused
    before = np.mean([a == t for (a, _), t in zip(answers, truth)])
    after = np.mean([b == t for (_, b), t in zip(answers, truth)])
    changes = ", ".join(f"{t} read {a} -> {b}" for (a, b), t in zip(answers, truth) if a != b)
    print(
        f"{name}: {same} of {len(answers)} the same; differ: {other} another digit, {several} "
        f"several digits, {refused} refused; accuracy one digit {before:.1%}, number {after:.1%}"
        + (f" ({changes})" if changes else ""),
        flush=True,
    )
    return same


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", metavar="MODEL")
    parser.add_argument("--n", type=int, default=300, help="digits per photo condition (300)")
    parser.add_argument(
        "--write-docs", action="store_true", help="write the counts into docs/numbers.md"
    )
    args = parser.parse_args(argv)
    (_, _), (X_test, y_test) = dn.load_mnist()
    digits, labels = X_test[: args.n].reshape(-1, 28, 28), y_test[: args.n]
    photos = []
    for conditions in PLAN.values():
        rng = np.random.default_rng(0)  # as benchmarks/photos.py draws them
        photos.append([picture_array(photograph(d, rng, conditions)) for d in digits])
    rendered, rendered_truth = rendered_pictures()
    strokes, stroke_truth = stroke_pictures()
    groups = {
        f"photos, {len(PLAN)} conditions": sum(len(p) for p in photos),
        "MNIST rendered large": len(rendered),
        "pen strokes": len(strokes),
    }
    same = {}  # model: pictures read the same, per group
    for name in args.models:
        model = dn.load_model(name)
        stem = Path(name).stem
        counts = [
            sum(
                report(f"{stem}: photos, {label}", [both_ways(model, p) for p in pictures], labels)
                for label, pictures in zip(PLAN, photos)
            ),
            report(
                f"{stem}: MNIST rendered large",
                [both_ways(model, p) for p in rendered],
                rendered_truth,
            ),
            report(f"{stem}: pen strokes", [both_ways(model, p) for p in strokes], stroke_truth),
        ]
        same[stem] = dict(zip(groups, counts))
    table = parity_table(groups, same)
    print(table)
    if args.write_docs:
        from docs_tables import write_docs

        models = " ".join(Path(name).name for name in args.models)
        command = f"python benchmarks/single_digit_parity.py {models} --n {args.n} --write-docs"
        write_docs("numbers.md", "single-digit-parity", table, command)


def parity_table(groups: dict[str, int], same: dict[str, dict[str, int]]) -> str:
    """Markdown: per group of pictures (and all), how many each model reads the same both ways."""
    lines = [
        "| pictures | n | " + " | ".join(f"`{stem}`: read the same" for stem in same) + " |",
        "|---|---|" + "---|" * len(same),
    ]
    for group, n in [*groups.items(), ("all", sum(groups.values()))]:
        counts = [sum(s.values()) if group == "all" else s[group] for s in same.values()]
        lines.append(f"| {group} | {n:,} | " + " | ".join(f"{c:,}" for c in counts) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
