"""How much a 28x28 field looks like one of MNIST's handwritten digits, whatever a network says.

A network trained on digits reads anything as some digit, often with full confidence: two
touching digits squeezed into one field, half of a 0, a 1 with a piece of its neighbour. To
tell a digit from such a piece, each digit's training images are summarised by their mean and
the few directions along which they vary most (their principal components). A field far from
that subspace (a large residual: ink where that digit never has it, or none where it always
does) is unlike any training image of that digit. reading.number adds this to the network's
own confidence when it chooses how to cut a number into digits.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

COMPONENTS = 20  # directions kept per digit
SAMPLES = slice(50_000, 60_000)  # the last 10,000 training images (never the test set's)
ROUNDS = 6  # of subspace iteration: the residuals then lie within 1% of an exact SVD's


def atypical(fields: np.ndarray) -> np.ndarray:
    """How unlike each digit each field is (n, 10), for fields (n, 784) in [0, 1]: its squared
    distance from the digit's principal subspace beyond the median one of that digit's training
    images, in units of the mean of the ten digits' medians (0 or less for a usual digit;
    several units for a piece of ink that is not that digit). One unit for all digits: a 1
    varies so little that its own median would make any 1 with a flag look odd."""
    means, bases, typical = _digit_models()
    fields = np.asarray(fields, dtype=np.float32).reshape(len(fields), -1)
    unlike = np.empty((len(fields), len(means)))
    for digit, (mean, basis) in enumerate(zip(means, bases)):
        unlike[:, digit] = _residuals(fields - mean, basis) - typical[digit]
    return unlike / typical.mean()


@lru_cache(maxsize=1)
def _digit_models() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per digit, from the bundled training images: its mean (10, 784), its principal
    directions (10, 784, COMPONENTS) and the median residual of its own images (10,)."""
    from ..data.datasets import load_mnist_split

    images, labels = load_mnist_split("train", "uint8")
    pixels = images[SAMPLES].astype(np.float32) / 255
    digits = labels[SAMPLES]
    means, bases, typical = [], [], []
    for digit in range(10):
        own = pixels[digits == digit]
        mean = own.mean(axis=0)
        basis = principal_directions(own - mean, COMPONENTS)
        means.append(mean)
        bases.append(basis)
        typical.append(float(np.median(_residuals(own - mean, basis))))
    return np.stack(means), np.stack(bases), np.array(typical)


def principal_directions(centred: np.ndarray, k: int, rounds: int = ROUNDS) -> np.ndarray:
    """The k directions (d, k), orthonormal, along which centred rows (n, d) vary most, by
    subspace iteration: start from the span of k rows, then repeatedly multiply by the
    covariance (up to a factor) and orthonormalise. An exact SVD gives the same subspace; this
    takes a few products instead of a decomposition of (d, d)."""
    basis = np.linalg.qr(centred[:k].T)[0]
    for _ in range(rounds):
        basis = np.linalg.qr(centred.T @ (centred @ basis))[0]
    return basis


def _residuals(centred: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Each centred row's squared distance from the span of basis' columns (n,)."""
    along = centred @ basis
    return np.maximum(0.0, (centred**2).sum(axis=1) - (along**2).sum(axis=1))
