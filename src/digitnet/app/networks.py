"""Which network a run trains, for the command line and the page alike: a new one as the
settings describe it (an MLP, or any network from --layers), and how a network is named."""

from __future__ import annotations

import math

from ..errors import DigitnetError
from ..learn.learner_layers import LearnersLayer
from ..model import MLP, Sequential
from ..nn.dense import Dense
from ..nn.network import Network
from ..nn.spec import build_layers, spec_of, takes_images
from ..training.settings import RunSettings


def fresh_model(settings: RunSettings, n_features: int) -> Network:
    """A new network as the settings describe it: an MLP from hidden/activation, or layers;
    on the settings' threads."""
    model: Network
    if settings.layers is None:
        sizes = [n_features, *settings.hidden, 10]
        model = MLP(sizes, settings.activation, seed=settings.seed, dtype=settings.dtype)
    else:
        shape = image_shape(n_features) if takes_images(settings.layers) else (n_features,)
        layers = build_layers(settings.layers, shape)
        model = Sequential(layers, input_shape=shape, seed=settings.seed, dtype=settings.dtype)
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
