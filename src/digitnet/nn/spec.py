"""A network written as text, for the command line: "conv 16 5 pad 2, relu, maxpool 2, dense 128".

Terms, separated by commas:
    conv OUT K [stride S] [pad P]    Conv2D: OUT channels, K x K kernels
    maxpool K [stride S]             MaxPool2D
    dense N                          Dense with N units
    relu, leaky_relu, sigmoid, tanh  activations
    dropout R                        Dropout at rate R
    batchnorm, flatten, global_avgpool
The input sizes of each layer follow from the shape before it; a flatten is inserted where a
dense layer follows image-shaped output, and the final dense layer to the classes is added.
Each dense or conv layer is initialised for the activation that follows it (He before ReLU-like
units, Glorot before sigmoid, tanh and the softmax), as MLP does.
"""

from __future__ import annotations

import math

from ..errors import DigitnetError
from .batchnorm import BatchNorm
from .conv import Conv2D
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .layer import Layer
from .layers import ACTIVATIONS, make_activation
from .pooling import GlobalAvgPool, MaxPool2D

# each term: its required numbers, and the optional named numbers it takes
TERMS = {
    "conv": (("OUT", "K"), ("stride", "pad")),
    "maxpool": (("K",), ("stride",)),
    "dense": (("N",), ()),
    "dropout": (("R",), ()),
    "batchnorm": ((), ()),
    "flatten": ((), ()),
    "global_avgpool": ((), ()),
    **{name: ((), ()) for name in ACTIVATIONS},
}
IMAGE_TERMS = ("conv", "maxpool", "global_avgpool")


def _usage(name: str) -> str:
    required, optional = TERMS[name]
    return " ".join([name, *required, *(f"[{key} {key[0].upper()}]" for key in optional)])


def parse_terms(spec: str) -> list[tuple[str, list[float], dict[str, float]]]:
    """The spec's terms as (name, numbers, {option: number}); one-line errors name the term."""
    terms = []
    for text in spec.split(","):
        words = text.split()
        if not words:
            raise DigitnetError(
                f"--layers: an empty term in {spec!r} (two commas in a row, or one at an end?)"
            )
        name, rest = words[0].lower(), words[1:]
        if name not in TERMS:
            raise DigitnetError(
                f"--layers: unknown term {text.strip()!r}; known: {', '.join(TERMS)}"
            )
        required, optional = TERMS[name]
        options: dict[str, float] = {}
        numbers = rest[: len(required)]
        pairs = rest[len(required) :]
        try:
            values = [float(word) for word in numbers]
            if len(values) != len(required) or len(pairs) % 2:
                raise ValueError
            for key, value in zip((word.lower() for word in pairs[::2]), pairs[1::2]):
                if key not in optional or key in options:
                    raise ValueError
                options[key] = float(value)
        except ValueError:
            raise DigitnetError(
                f"--layers: bad term {text.strip()!r}; write it as {_usage(name)!r}"
            ) from None
        terms.append((name, values, options))
    return terms


def _int(value: float, term: str) -> int:
    if not math.isfinite(value) or value != int(value):
        raise DigitnetError(f"--layers: {term} needs whole numbers, got {value:g}")
    return int(value)


def takes_images(spec: str) -> bool:
    """Whether the network of `spec` reads images (C, H, W) rather than pixel vectors."""
    return any(name in IMAGE_TERMS for name, _, _ in parse_terms(spec))


def build_layers(spec: str, input_shape: tuple[int, ...], n_classes: int = 10) -> list[Layer]:
    """The layers of `spec` for inputs of `input_shape`, ending in a dense layer to n_classes."""
    terms = parse_terms(spec)
    # the init of each dense/conv layer: that of the first activation after it, else Glorot
    inits: list[str] = []
    for i in range(len(terms)):
        later = [n for n, _, _ in terms[i + 1 :] if n in ACTIVATIONS or n in ("conv", "dense")]
        after = later[0] if later else None
        inits.append(ACTIVATIONS[after].init_before if after in ACTIVATIONS else "glorot")
    layers: list[Layer] = []
    shape = tuple(input_shape)

    def add(layer: Layer, term: str) -> None:
        nonlocal shape
        try:
            shape = layer.output_shape(shape)
        except DigitnetError as error:
            raise DigitnetError(f"--layers: {term!r} does not fit: {error}") from None
        layers.append(layer)

    for (name, values, options), init in zip(terms, inits):
        term = " ".join([name, *(f"{v:g}" for v in values)])
        whole = [_int(v, term) for v in values] if name != "dropout" else []
        try:
            if name == "dense" and len(shape) > 1:
                add(Flatten(), "flatten")
            if name == "conv":
                stride, pad = (
                    _int(options.get(key, d), term) for key, d in (("stride", 1), ("pad", 0))
                )
                layer: Layer = Conv2D(shape[0], whole[0], whole[1], stride, pad, init=init)
            elif name == "maxpool":
                layer = MaxPool2D(whole[0], _int(options.get("stride", values[0]), term))
            elif name == "dense":
                layer = Dense(shape[0], whole[0], init=init)
            elif name == "dropout":
                layer = Dropout(values[0])
            elif name == "batchnorm":
                layer = BatchNorm(shape[0])
            elif name == "flatten":
                layer = Flatten()
            elif name == "global_avgpool":
                layer = GlobalAvgPool()
            else:
                layer = make_activation(name)
        except DigitnetError as error:
            raise DigitnetError(f"--layers: {term!r}: {error}") from None
        add(layer, term)
    if len(shape) > 1:
        add(Flatten(), "flatten")
    add(Dense(shape[0], n_classes, init="glorot"), f"dense {n_classes} (the output)")
    return layers


def spec_of(layer: Layer) -> str:
    """A layer as a --layers term: "conv 16 5 pad 2", "maxpool 2", "dense 128", "relu"."""
    config = layer.config()
    kind = config["type"]
    if kind == "conv2d":
        text = f"conv {config['out_channels']} {config['kernel_size']}"
        if config["stride"] != 1:
            text += f" stride {config['stride']}"
        return text + (f" pad {config['padding']}" if config["padding"] else "")
    if kind == "maxpool2d":
        text = f"maxpool {config['kernel_size']}"
        return text + (
            f" stride {config['stride']}" if config["stride"] != config["kernel_size"] else ""
        )
    if kind == "dense":
        return f"dense {config['out_features']}"
    if kind == "dropout":
        return f"dropout {config['rate']:g}"
    return kind
