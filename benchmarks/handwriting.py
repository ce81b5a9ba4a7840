"""How well a trained network reads handwriting that is not MNIST's, through `digitnet predict`'s
preprocessing (digitnet.data.preprocess.to_mnist).

    python benchmarks/handwriting.py MODEL

1. MNIST test digits rendered large, black on white, at random positions and sizes on pages of
   random size (the network saw none of the test set in training);
2. digits written as pen strokes (tests/strokes.py) at random sizes, positions, pen widths,
   slants and both polarities;
3. if scikit-learn is installed: the UCI "optical recognition of handwritten digits" set that it
   ships (1,797 digits by 43 writers, 8x8 pixels with 16 grey levels).
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from strokes import render  # noqa: E402

import digitnet as dn  # noqa: E402

try:
    from digitnet.data.preprocess import to_mnist
except ImportError:  # a digitnet before the data/ layout, as the one before photo preprocessing
    from digitnet.preprocess import to_mnist


def read(model, pictures) -> np.ndarray:
    fields = np.stack([to_mnist(p).ravel() for p in pictures])
    return model.predict(fields)


def rendered_mnist(model, n=1000, seed=0):
    pictures, truth = rendered_pictures(n, seed)
    (_, _), (X_test, _) = dn.load_mnist()
    on_originals = np.mean(model.predict(X_test[:n]) == truth)
    return np.mean(read(model, pictures) == truth), on_originals


def rendered_pictures(n=1000, seed=0):
    """The first n MNIST test digits rendered large at random places, and their labels."""
    (_, _), (X_test, y_test) = dn.load_mnist(dtype="uint8")
    rng = np.random.default_rng(seed)
    pictures = []
    for i in range(n):
        scale = int(rng.integers(3, 12))
        digit = Image.fromarray(255 - X_test[i].reshape(28, 28)).resize(
            (28 * scale, 28 * scale), Image.Resampling.BILINEAR
        )
        page = Image.new(
            "L",
            (digit.width + int(rng.integers(10, 300)), digit.height + int(rng.integers(10, 200))),
            255,
        )
        page.paste(
            digit,
            (
                int(rng.integers(0, page.width - digit.width)),
                int(rng.integers(0, page.height - digit.height)),
            ),
        )
        pictures.append(page)
    return [np.asarray(p, dtype=np.float32) / 255 for p in pictures], y_test[:n]


def pen_digits(model, per_digit=20, seed=1):
    pictures, truth = stroke_pictures(per_digit, seed)
    return np.mean(read(model, pictures) == truth), len(truth)


def stroke_pictures(per_digit=20, seed=1):
    """Digits written as pen strokes (tests/strokes.py), and their labels."""
    rng = np.random.default_rng(seed)
    pictures, truth = [], []
    for digit in range(10):
        for k in range(per_digit):
            pictures.append(
                render(
                    digit,
                    size=int(rng.integers(50, 200)),
                    offset=(int(rng.integers(0, 80)), int(rng.integers(0, 40))),
                    canvas=(320, 280),
                    width=int(rng.integers(4, 18)),
                    dark_on_light=k % 2 == 0,
                    rotate=float(rng.normal(0, 8)),
                )
            )
            truth.append(digit)
    return [np.asarray(p, dtype=np.float32) / 255 for p in pictures], np.array(truth)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a model file from digitnet train")
    args = parser.parse_args(argv)
    model = dn.load_model(args.model)
    accuracy, originals = rendered_mnist(model)
    print(
        f"MNIST test digits rendered large at random places: {accuracy:.1%} "
        f"(the same 1000 digits as 28x28 originals: {originals:.1%})"
    )
    accuracy, n = pen_digits(model)
    print(f"digits written as pen strokes: {accuracy:.1%} of {n}")
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        print("UCI 8x8 digits: skipped (pip install scikit-learn)")
        return
    digits = load_digits()
    pictures = [np.uint8(image * 255 / 16) / np.float32(255) for image in digits.images]
    predicted = read(model, pictures)
    per_class = [np.mean(predicted[digits.target == d] == d) for d in range(10)]
    print(
        f"UCI handwritten digits (8x8, 43 writers): {np.mean(predicted == digits.target):.1%} "
        f"of {len(predicted)}; per digit " + " ".join(f"{p:.0%}" for p in per_class)
    )


if __name__ == "__main__":
    main()
