"""A network written as text, for the command line: "conv 16 5 pad 2, relu, maxpool 2, dense 128".

Terms, separated by commas: a layer's name and its numbers ("dense 128", "maxpool 2"), with
named options after them ("conv 16 5 stride 2 pad 1"). Each layer class declares its own term
(spec_name, spec_numbers, spec_options: see nn/layer.py) and layers.LAYER_TYPES lists the classes,
so this module has no branch for any layer; `digitnet train --help` and docs/cli.md list them.
The input sizes of each layer follow from the shape before it; a flatten is inserted where a
dense layer follows image-shaped output, and the final dense layer to the classes is added.
Each dense or conv layer is initialised for the activation that follows it (He before ReLU-like
units, Glorot before sigmoid, tanh and the softmax), as MLP does.
"""

from __future__ import annotations

import math

from ..errors import DigitnetError
from .dense import Dense
from .flatten import Flatten
from .layer import Layer, Setting
from .layers import LAYER_TYPES


def terms() -> dict[str, type[Layer]]:
    """Each --layers term's name and its layer class, in the registry's order."""
    return {cls.spec_name: cls for cls in LAYER_TYPES.values() if cls.spec_name is not None}


def usage(cls: type[Layer]) -> str:
    """How a term is written: "conv OUT K [stride S] [pad P]"."""
    options = (f"[{option.word} {option.word[0].upper()}]" for option in cls.spec_options)
    return " ".join([str(cls.spec_name), *(s.word for s in cls.spec_numbers), *options])


def example_of(cls: type[Layer]) -> str:
    """A term that builds a layer of this class: its spec_example, else its bare name."""
    return cls.spec_example or str(cls.spec_name)


def parse_terms(spec: str) -> list[tuple[str, list[float], dict[str, float]]]:
    """The spec's terms as (name, numbers, {option: number}); one-line errors name the term."""
    known = terms()
    parsed = []
    for text in spec.split(","):
        words = text.split()
        if not words:
            raise DigitnetError(
                f"--layers: an empty term in {spec!r} (two commas in a row, or one at an end?)"
            )
        name, rest = words[0].lower(), words[1:]
        if name not in known:
            raise DigitnetError(
                f"--layers: unknown term {text.strip()!r}; known: {', '.join(known)}"
            )
        cls = known[name]
        option_names = [option.word for option in cls.spec_options]
        options: dict[str, float] = {}
        numbers = rest[: len(cls.spec_numbers)]
        pairs = rest[len(cls.spec_numbers) :]
        try:
            values = [float(word) for word in numbers]
            if len(values) != len(cls.spec_numbers) or len(pairs) % 2:
                raise ValueError
            for key, value in zip((word.lower() for word in pairs[::2]), pairs[1::2]):
                if key not in option_names or key in options:
                    raise ValueError
                options[key] = float(value)
        except ValueError:
            raise DigitnetError(
                f"--layers: bad term {text.strip()!r}; write it as {usage(cls)!r}"
            ) from None
        parsed.append((name, values, options))
    return parsed


def _setting(setting: Setting, value: float, term: str) -> float:
    """A term's number as its constructor argument takes it: an int where it must be whole."""
    if not setting.whole:
        return value
    if not math.isfinite(value) or value != int(value):
        raise DigitnetError(f"--layers: {term} needs whole numbers, got {value:g}")
    return int(value)


def takes_images(spec: str) -> bool:
    """Whether the network of `spec` reads images (C, H, W) rather than pixel vectors."""
    known = terms()
    return any(known[name].takes_images for name, _, _ in parse_terms(spec))


def build_layers(spec: str, input_shape: tuple[int, ...], n_classes: int = 10) -> list[Layer]:
    """The layers of `spec` for inputs of `input_shape`, ending in a dense layer to n_classes."""
    known = terms()
    parsed = parse_terms(spec)
    classes = [known[name] for name, _, _ in parsed]
    # the init of each dense/conv layer: that of the first activation after it, else Glorot
    inits: list[str] = []
    for i in range(len(classes)):
        later = [cls for cls in classes[i + 1 :] if cls.is_activation or cls.takes_init]
        inits.append(later[0].init_before if later and later[0].is_activation else "glorot")
    layers: list[Layer] = []
    shape = tuple(input_shape)

    def add(layer: Layer, term: str) -> None:
        nonlocal shape
        try:
            shape = layer.output_shape(shape)
        except DigitnetError as error:
            raise DigitnetError(f"--layers: {term!r} does not fit: {error}") from None
        layers.append(layer)

    for (name, values, options), cls, init in zip(parsed, classes, inits):
        term = " ".join([name, *(f"{v:g}" for v in values)])
        settings = {s.argument: _setting(s, v, term) for s, v in zip(cls.spec_numbers, values)}
        for option in cls.spec_options:
            if option.word in options:
                settings[option.argument] = _setting(option, options[option.word], term)
        if cls.takes_vectors and len(shape) > 1:
            add(Flatten(), "flatten")
        try:
            layer = cls.from_term(settings, shape, init)
        except DigitnetError as error:
            raise DigitnetError(f"--layers: {term!r}: {error}") from None
        add(layer, term)
    if len(shape) > 1:
        add(Flatten(), "flatten")
    add(Dense(shape[0], n_classes, init="glorot"), f"dense {n_classes} (the output)")
    return layers


def spec_of(layer: Layer) -> str:
    """A layer as a --layers term: "conv 16 5 pad 2", "maxpool 2", "dense 128", "relu".

    An option is written only where leaving it out would build another layer: conv's stride 1
    and padding 0, and maxpool's stride equal to its window, are left out."""
    cls, config = type(layer), layer.config()
    if cls.spec_name is None:
        return config["type"]
    words = [cls.spec_name, *(_number(config[s.argument]) for s in cls.spec_numbers)]
    for option in cls.spec_options:
        without = {k: v for k, v in config.items() if k not in ("type", option.argument)}
        if cls(**without).config() != config:
            words += [option.word, _number(config[option.argument])]
    return " ".join(words)


def _number(value: float) -> str:
    """A setting as the term writes it: 128, 0.25."""
    return str(value) if isinstance(value, int) else f"{value:g}"
