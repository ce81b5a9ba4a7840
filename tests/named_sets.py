"""Small IDX datasets with named classes, for the tests of class names: images where each class
lights up its own block of pixels (so a network tells them apart in a few epochs)."""

import numpy as np

from digitnet.data.idx import write_idx

FASHION = "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot"


def blobs(n, seed, n_classes):
    """Images where class k lights up its own block of pixels, with labels 0..n_classes-1."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_classes, n)
    images = rng.integers(0, 60, (n, 784))
    block = 784 // n_classes
    for k in range(n_classes):
        images[np.ix_(labels == k, np.arange(k * block, (k + 1) * block))] += 150
    return images.clip(0, 255).astype(np.uint8).reshape(n, 28, 28), labels.astype(np.uint8)


def fashion_folder(folder, names=FASHION):
    """`folder` made a set in MNIST's naming of ten classes, with a classes.txt of `names`
    (comma-separated; None: no classes.txt). Returns the folder."""
    folder.mkdir()
    for split, n, seed in (("train", 300, 1), ("t10k", 100, 2)):
        images, labels = blobs(n, seed, 10)
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels)
    if names is not None:
        (folder / "classes.txt").write_text("\n".join(names.split(",")) + "\n")
    return folder
