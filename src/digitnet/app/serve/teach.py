"""Teaching the network a drawing it misread: a few gradient steps on the drawing (randomly
distorted each time) mixed with replayed training images, so that it learns the drawing without
forgetting the rest; and the taught drawings, kept as a CSV (with a named set's names beside it)
that `digitnet train --data` reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...atomic import atomic_open
from ...data.augment import AUGMENTATIONS, augment_batch
from ...data.classes import csv_classes, csv_names_file, describe_classes, write_classes_file
from ...data.datasets import DataSplits, load_csv
from ...errors import DigitnetError
from ...nn.inputs import as_input
from ...nn.network import Network
from ...optim.sgd import SGD
from ...training.loop import train_step
from .errors import Refused

# Few steps at a low rate, so that the rest of the test set hardly moves, yet enough that almost
# every misread drawing is learnt: chosen with benchmarks/teach_tune.py.
MAX_STEPS = 50  # gradient steps at most per teach
SURE = 0.8  # stop once the drawing is read as its label with this probability
COPIES = 8  # distorted copies of the drawing in each step's batch
REPLAY = 120  # training images in each step's batch (and up to 16 earlier taught drawings)
TEACH_LR = 0.02  # plain gradient descent: no optimizer state of the run is touched
MAX_TAUGHT = 5000  # drawings kept (a CSV of about 8 MB)


class TaughtSet:
    """The taught drawings (uint8 28x28, ink bright, as MNIST) and their labels, saved after each
    new one to `path` as label,pixel0,...,pixel783 (Kaggle's train.csv layout), with the names
    of a named set's classes beside it (NAME.classes.txt, which `digitnet train --data` reads).
    Drawings already in `path` (an earlier session's) are read first and kept; they must be of
    the same classes, or the session is refused: one file never mixes two sets."""

    def __init__(self, path: Path, classes: tuple[str, ...] | None = None) -> None:
        self.path = path
        self.classes = classes  # None: the digits
        self.names_path = csv_names_file(path)
        self.images = np.zeros((0, 784), np.uint8)
        self.labels = np.zeros(0, np.int64)
        if path.exists():
            kept = csv_classes(path)
            if kept != classes:
                raise DigitnetError(
                    f"{path} holds drawings of {describe_classes(kept)}, the page reads "
                    f"{describe_classes(classes)}: give --save-dir another folder"
                )
            images, labels = load_csv(path, "uint8")
            if images.shape[1] != 784:
                raise DigitnetError(f"{path}: taught drawings must have 784 pixels")
            self.images, self.labels = images, labels
        elif self.names_path.exists() and classes is None:  # no drawings; the names would stick
            raise DigitnetError(
                f"{self.names_path} names classes but {path} is missing: give --save-dir "
                "another folder"
            )

    def __len__(self) -> int:
        return len(self.labels)

    def check_room(self) -> None:
        """Refuse (409) a new drawing once MAX_TAUGHT are kept."""
        if len(self) >= MAX_TAUGHT:
            raise Refused(
                f"{MAX_TAUGHT} taught drawings are kept already; retrain with them "
                f"(digitnet train --data {self.path}) and start a new set"
            )

    def add(self, field: np.ndarray, label: int) -> None:
        """Keep a 28x28 drawing in [0, 1] with its label, and rewrite the CSV (atomically)."""
        self.check_room()
        pixels = np.round(np.clip(field, 0, 1) * 255).astype(np.uint8).reshape(1, 784)
        images = np.concatenate([self.images, pixels])
        labels = np.append(self.labels, label)
        if self.classes is not None:  # first the names: the CSV is never without them
            write_classes_file(self.names_path, self.classes)
        header = "label," + ",".join(f"pixel{i}" for i in range(784))
        rows = np.column_stack([labels, images])
        try:
            with atomic_open(self.path, "w") as file:
                np.savetxt(file, rows, fmt="%d", delimiter=",", header=header, comments="")
        except OSError as error:
            raise DigitnetError(f"{self.path}: cannot write ({error.strerror})") from None
        self.images, self.labels = images, labels  # kept once they are on disk

    def sample(self, rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Up to `count` taught drawings at random (uint8 (n, 784)) and their labels."""
        chosen = rng.permutation(len(self))[:count]
        return self.images[chosen], self.labels[chosen]


def teach(
    model: Network,
    field: np.ndarray,
    label: int,
    X_train: np.ndarray,
    y_train: np.ndarray,
    taught: TaughtSet,
    rng: np.random.Generator,
    lr: float = TEACH_LR,
    copies: int = COPIES,
    replay_size: int = REPLAY,
    max_steps: int = MAX_STEPS,
    sure: float = SURE,
) -> int:
    """Steps of gradient descent (learning rate `lr`) on batches of `copies` distorted copies
    of the 28x28 drawing `field` (labelled `label`), `replay_size` random training images and
    up to 16 taught drawings (this one among them, once kept), until the drawing is read as
    `label` with probability `sure` (at most `max_steps`). Updates `model` in place; returns
    the number of steps taken. (benchmarks/teach_tune.py varies the keyword settings.)"""
    optimizer = SGD(lr)
    groups = model.block.groups(False)
    shape = model.input_shape
    drawing = np.repeat(field.reshape(1, *shape).astype(model.dtype), copies, axis=0)
    steps = 0
    while steps < max_steps:
        steps += 1
        replay = rng.integers(len(X_train), size=replay_size)
        earlier, earlier_labels = taught.sample(rng, 16)
        pixels = np.concatenate([X_train[replay], earlier]).reshape(-1, *shape)
        x = np.concatenate(
            [augment_batch(drawing, rng, AUGMENTATIONS["affine"]), as_input(pixels, model.dtype)]
        )
        labels = np.concatenate([np.full(copies, label), y_train[replay], earlier_labels])
        train_step(model, x, labels, optimizer, groups)  # the training loop's own step
        probs = model.predict_proba(field.reshape(1, -1))[0]
        if probs.argmax() == label and probs[label] >= sure:
            break
    return steps


def lesson(
    model: Network,
    field: np.ndarray,
    label: int,
    data: DataSplits,
    taught: TaughtSet,
    rng: np.random.Generator,
) -> dict:
    """POST /api/teach's work: keep the drawing (first: one that cannot be kept is not taught),
    teach it, and say how the network read it before and after, and its test accuracy before."""
    x = field.reshape(1, -1)
    before = model.predict_proba(x)[0]
    accuracy_before = model.score(data.X_eval, data.y_eval)
    taught.add(field, label)
    steps = teach(model, field, label, data.X_train, data.y_train, taught, rng)
    return {
        "before": before.tolist(),
        "after": model.predict_proba(x)[0].tolist(),
        "test_accuracy_before": accuracy_before,
        "steps": steps,
        "taught": len(taught),
        "taught_path": str(taught.path),
    }
