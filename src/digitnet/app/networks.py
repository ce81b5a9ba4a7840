"""Which network a run trains, for the command line and the page alike: a new one as the
settings describe it (an MLP, or any network from --layers), and how a network is named."""

from __future__ import annotations

import math

from ..data.classes import agreed_names
from ..data.datasets import Arrays, Dataset, load_dataset
from ..errors import DigitnetError
from ..learn.learner_layers import LearnersLayer
from ..model import MLP, Sequential
from ..nn.dense import Dense
from ..nn.network import Network
from ..nn.spec import build_layers, spec_of, takes_images
from ..training.settings import RunSettings


def fresh_model(
    settings: RunSettings,
    n_features: int,
    n_classes: int = 10,
    classes: tuple[str, ...] | None = None,
) -> Network:
    """A new network as the settings describe it: an MLP from hidden/activation, or layers;
    scoring n_classes classes (named `classes`, else digits), on the settings' threads."""
    model: Network
    if settings.layers is None:
        sizes = [n_features, *settings.hidden, n_classes]
        model = MLP(sizes, settings.activation, seed=settings.seed, dtype=settings.dtype)
    else:
        shape = image_shape(n_features) if takes_images(settings.layers) else (n_features,)
        layers = build_layers(settings.layers, shape, n_classes)
        model = Sequential(layers, input_shape=shape, seed=settings.seed, dtype=settings.dtype)
    model.classes = classes
    model.threads = settings.threads  # None: the default
    return model


def image_shape(n_features: int) -> tuple[int, int, int]:
    """(1, side, side) for square grayscale images of n_features pixels."""
    side = math.isqrt(n_features)
    if side * side != n_features:
        raise DigitnetError(f"--layers with images needs square images; got {n_features} pixels")
    return (1, side, side)


def describe_network(model: Network) -> str:
    """The layers in one line: 784 -> dense 128 -> relu -> ... -> dense 10, a learner's layers
    marked "(yours)"."""
    parts = [" x ".join(str(n) for n in model.input_shape)]
    for layer in model.layers:
        yours = " (yours)" if isinstance(layer, LearnersLayer) else ""
        parts.append(spec_of(layer) + yours)
    return " -> ".join(parts)


def is_mlp(model: Network) -> bool:
    """Whether every layer with weights is dense: an MLP, whose dropout --dropout places."""
    return all(isinstance(layer, Dense) for layer in model.layers if layer.params)


def check_28x28(model: Network, name: str) -> None:
    """Refuse a model that does not take 28x28 images (784 inputs): pictures become 28x28."""
    if model.n_inputs != 784:
        raise DigitnetError(
            f"{name}: this command needs a model of 28x28 images (784 inputs); "
            f"it takes {model.n_inputs}"
        )


def class_names(model: Network, dataset: Dataset, name: str) -> tuple[str, ...]:
    """The names to show the model's answers on `dataset` with: the model's, or the data's
    when only the data names them; a DigitnetError if they disagree or do not fit."""
    if dataset.n_classes > model.n_classes:
        raise DigitnetError(
            f"{dataset.source} has {dataset.n_classes} classes, {name} scores {model.n_classes}"
        )
    names = agreed_names(model.class_names, dataset.classes, name, dataset.source)
    if names is not None and len(names) != model.n_classes:
        raise DigitnetError(
            f"{dataset.source} names {len(names)} classes, {name} scores {model.n_classes}"
        )
    return names or model.classes


def test_set_for(model: Network, data: str | None, classes: str | None, name: str) -> Arrays:
    """The test set of --data (with --classes) for `model`, as uint8 rows and labels, checked
    to fit it; the model takes the names its answers are shown with (class_names)."""
    dataset = load_dataset(data, "uint8", classes, train=False)
    assert dataset.test is not None  # load_dataset refuses a source without a test split
    X, y = dataset.test
    if X.shape[1] != model.n_inputs:
        raise DigitnetError(
            f"{name} takes {model.n_inputs} inputs, the data has {X.shape[1]} pixels per image"
        )
    model.classes = class_names(model, dataset, name)
    return X, y
