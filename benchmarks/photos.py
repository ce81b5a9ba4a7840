"""How well a trained network reads photos of digits on paper, condition by condition.

    python benchmarks/photos.py MODEL [--n 300] [--json out.json]

Each MNIST test digit (the first N) is written large in ink on a page and "photographed" by
tests/photos.py: once clean (black ink on white paper), once under each condition alone (tinted
paper, light falling off across the page, a soft shadow, blue ink, sensor noise, slight blur and
rotation, JPEG), and once under all of them together; then with the digit small in the frame (a
quarter to a third of the picture's size), alone and with all the conditions. Then the same for
the UCI 8x8 digits that scikit-learn ships (if it is installed). Every picture goes through what
`digitnet predict` does to a file: digitnet.data.preprocess.picture_array, then to_mnist; a picture
it refuses (no digit found) counts as wrong. On a digitnet without picture_array (before the
photo preprocessing), pictures are read as grayscale, as it did.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from photos import PLAN, photograph  # noqa: E402

import digitnet as dn  # noqa: E402
from digitnet.errors import DigitnetError  # noqa: E402

try:
    from digitnet.data.preprocess import to_mnist
except ImportError:  # a digitnet before the data/ layout, as the one before photo preprocessing
    from digitnet.preprocess import to_mnist


def as_array(picture) -> np.ndarray:
    """The picture as `digitnet predict` reads a file."""
    try:
        from digitnet.data.preprocess import picture_array
    except ImportError:  # the digitnet before photo preprocessing: grayscale only
        return np.asarray(picture.convert("L"), dtype=np.float32) / 255
    return picture_array(picture)


def photo_fields(digits, conditions, seed) -> tuple[np.ndarray, np.ndarray]:
    """Each of `digits` photographed under `conditions` and read as `digitnet predict` reads a
    file: the (n, 784) network inputs, and which pictures were read (a refused one is zeros)."""
    rng = np.random.default_rng(seed)
    fields = np.zeros((len(digits), 784), dtype=np.float32)
    read = np.zeros(len(digits), dtype=bool)
    for i, digit in enumerate(digits):
        try:
            fields[i] = to_mnist(as_array(photograph(digit, rng, conditions))).ravel()
        except DigitnetError:  # refused: no digit found
            continue
        read[i] = True
    return fields, read


def accuracy(model, digits, labels, conditions, seed) -> float:
    """Share of `digits` read right after photographing each under `conditions`."""
    fields, read = photo_fields(digits, conditions, seed)
    if not read.any():
        return 0.0
    return int(np.sum(model.predict(fields[read]) == np.asarray(labels)[read])) / len(labels)


def uci_sample(n: int):
    """`n` of scikit-learn's UCI 8x8 digits, in a fixed random order: images in [0, 1], labels."""
    from sklearn.datasets import load_digits

    uci = load_digits()
    order = np.random.default_rng(0).permutation(len(uci.target))[:n]
    return uci.images[order] / 16, uci.target[order]


def run(model, digits, labels, seed: int = 0, name: str = "") -> dict[str, float]:
    """Accuracy per condition: clean, each condition alone, all together (a line on stderr as
    each condition is done: a condition takes seconds to a minute)."""
    rows = PLAN
    results = {}
    started = time.perf_counter()
    for i, (label, conditions) in enumerate(rows.items(), 1):
        results[label] = accuracy(model, digits, labels, conditions, seed)
        seconds = time.perf_counter() - started
        print(f"{name} {i}/{len(rows)} {label}: {results[label]:.1%} ({seconds:.0f} s)",
              file=sys.stderr, flush=True)  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--n", type=int, default=300, help="digits per condition (300)")
    parser.add_argument("--json", help="also write the results as JSON")
    args = parser.parse_args()
    model = dn.load_model(args.model)
    start = time.perf_counter()
    (_, _), (X_test, y_test) = dn.load_mnist()
    digits = X_test[: args.n].reshape(-1, 28, 28)
    results = {"mnist": run(model, digits, y_test[: args.n], name="MNIST")}
    results["mnist 28x28 originals"] = float(
        np.mean(model.predict(X_test[: args.n]) == y_test[: args.n])
    )
    try:
        uci_images, uci_labels = uci_sample(args.n)
    except ImportError:
        print("UCI 8x8 digits: skipped (pip install scikit-learn)")
    else:
        results["uci"] = run(model, uci_images, uci_labels, name="UCI")
    print(f"{args.n} digits per condition; accuracy of {args.model}")
    print("| condition | MNIST test digits | UCI digits |\n|---|---|---|")
    for condition in results["mnist"]:
        uci = f"{results['uci'][condition]:.1%}" if "uci" in results else ""
        print(f"| {condition} | {results['mnist'][condition]:.1%} | {uci} |")
    print(
        f"(the same MNIST digits as 28x28 originals: {results['mnist 28x28 originals']:.1%}; "
        f"{time.perf_counter() - start:.0f} s)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
