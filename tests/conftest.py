"""Shared fixtures: tiny synthetic digit datasets written as IDX files or CSV by the tests."""

from __future__ import annotations

import numpy as np
import pytest

from digitnet.data.idx import write_idx


def make_blobs(n: int, seed: int = 0, pixels: int = 784) -> tuple[np.ndarray, np.ndarray]:
    """An easy synthetic 10-class problem: each class lights up its own block of pixels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = rng.integers(0, 60, (n, pixels))
    block = pixels // 10
    for digit in range(10):
        rows = labels == digit
        images[np.ix_(rows, np.arange(digit * block, (digit + 1) * block))] += 150
    return images.clip(0, 255).astype(np.uint8), labels.astype(np.int64)


@pytest.fixture
def idx_folder(tmp_path):
    """A folder with tiny train (200) and t10k (100) IDX files in the MNIST naming."""
    for split, n, seed in (("train", 200, 1), ("t10k", 100, 2)):
        images, labels = make_blobs(n, seed)
        write_idx(tmp_path / f"{split}-images-idx3-ubyte.gz", images.reshape(n, 28, 28))
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte.gz", labels.astype(np.uint8))
    return tmp_path


@pytest.fixture
def csv_file(tmp_path):
    """A Kaggle-style CSV (label, pixel0..pixel783) with 150 rows."""
    images, labels = make_blobs(150, 3)
    header = "label," + ",".join(f"pixel{i}" for i in range(784))
    rows = [",".join(map(str, [label, *image])) for label, image in zip(labels, images)]
    path = tmp_path / "train.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


@pytest.fixture(scope="session")
def mnist_model(tmp_path_factory):
    """A small network trained for real on 12,000 MNIST images (about 96% test accuracy)."""
    import digitnet as dn

    (X, y), _ = dn.load_mnist(dtype="uint8")
    model = dn.MLP(seed=0)
    model.fit(X[:12000], y[:12000], epochs=3, optimizer=dn.Adam(lr=2e-3), verbose=0)
    path = tmp_path_factory.mktemp("model") / "model.npz"
    model.save(path)
    return path
