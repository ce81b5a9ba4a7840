"""The shape of MNIST's digits that reading.number's ASPECT_MEAN and ASPECT_SPREAD hold: per
digit, the mean and the standard deviation of log(width / height) of the ink's box (pixels over
0.25) in the training set.

    python benchmarks/digit_shapes.py
"""

import numpy as np

import digitnet as dn


def main() -> None:
    (X, y), _ = dn.load_mnist()
    ink = X.reshape(-1, 28, 28) > 0.25
    rows, cols = ink.any(axis=2), ink.any(axis=1)
    height = 28 - rows[:, ::-1].argmax(axis=1) - rows.argmax(axis=1)
    width = 28 - cols[:, ::-1].argmax(axis=1) - cols.argmax(axis=1)
    aspect = np.log(width / height)
    means = [float(np.exp(aspect[y == d].mean())) for d in range(10)]
    spreads = [float(aspect[y == d].std()) for d in range(10)]
    print("ASPECT_MEAN = np.log([" + ", ".join(f"{m:.2f}" for m in means) + "])")
    print("ASPECT_SPREAD = np.array([" + ", ".join(f"{s:.2f}" for s in spreads) + "])")


if __name__ == "__main__":
    main()
