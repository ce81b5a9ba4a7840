"""Which network a `digitnet train` run trains: an MLP from --hidden, any network from --layers
(or a preset's), or the --init model, after checking that the flags agree with it."""

from __future__ import annotations

import argparse
import math

import numpy as np

from ..errors import DigitnetError
from ..model import MLP, Sequential, load_model
from ..nn.dense import Dense
from ..nn.network import Network
from ..nn.spec import build_layers, parse_terms, spec_of, takes_images
from ..training.settings import RunSettings


def new_model(args: argparse.Namespace, s: RunSettings, n_features: int) -> Network:
    """A fresh network for this run, or the --init model when the flags agree with it."""
    if args.init is None:
        return fresh_model(s, n_features)
    model = load_model(args.init)
    if model.n_inputs != n_features:
        raise DigitnetError(
            f"{args.init}: model takes {model.n_inputs} inputs, "
            f"the data has {n_features} pixels per image"
        )
    saved: dict = {"dtype": model.dtype}
    if s.layers is not None:  # the spec (given, or a preset's) must describe the model's layers
        wanted = build_layers(s.layers, model.input_shape)
        saved["layers"] = ", ".join(spec_of(layer) for layer in model.layers)
        if [layer.config() for layer in wanted] != [layer.config() for layer in model.layers]:
            raise DigitnetError(
                f"--layers {s.layers!r} disagrees with {args.init} ({saved['layers']}); "
                "leave --layers (and --preset) out"
            )
    elif not is_mlp(model):
        for key in ("hidden", "activation"):
            if getattr(args, key) is not None:
                raise DigitnetError(
                    f"--{key} describes an MLP, but {args.init} is not one "
                    f"({describe(model)}); leave --{key} out"
                )
    else:
        activations = model.activation_names()
        dense = [layer for layer in model.layers if layer.params]
        saved["hidden"] = [layer.params["b"].size for layer in dense[:-1]]
        saved["activation"] = activations[0] if activations else None
    check_same({k: getattr(args, k) for k in saved if k != "layers"}, saved, args.init)
    model.rng = np.random.default_rng(s.seed)  # shuffling follows --seed
    return model


def fresh_model(s: RunSettings, n_features: int) -> Network:
    """A new network as the settings describe it: an MLP from hidden/activation, or layers."""
    if s.layers is None:
        return MLP([n_features, *s.hidden, 10], s.activation, seed=s.seed, dtype=s.dtype)
    shape = image_shape(n_features) if takes_images(s.layers) else (n_features,)
    layers = build_layers(s.layers, shape)
    return Sequential(layers, input_shape=shape, seed=s.seed, dtype=s.dtype)


def image_shape(n_features: int) -> tuple[int, int, int]:
    """(1, side, side) for square grayscale images of n_features pixels."""
    side = math.isqrt(n_features)
    if side * side != n_features:
        raise DigitnetError(f"--layers with images needs square images; got {n_features} pixels")
    return (1, side, side)


def check_layers_flags(explicit: dict, s: RunSettings) -> None:
    """--hidden and --activation describe an MLP: with --layers (or a preset's), refuse them."""
    assert s.layers is not None
    for key in ("hidden", "activation"):
        if explicit.get(key) is not None:
            raise DigitnetError(
                f"--{key} describes an MLP, but this run's network is --layers {s.layers!r}; "
                "put the layers in the spec instead"
            )
    has_dropout = any(name == "dropout" for name, _, _ in parse_terms(s.layers))
    if has_dropout and (s.dropout or s.input_dropout):
        raise DigitnetError("--layers places dropout itself: leave --dropout/--input-dropout out")


def check_same(explicit: dict, saved: dict, where: str) -> None:
    """Flags given explicitly must agree with what `where` (a checkpoint or model) says."""
    for key, value in explicit.items():
        if value is not None and key in saved and value != saved[key]:
            flag = "--" + key.replace("_", "-")
            raise DigitnetError(
                f"{flag} {value} disagrees with {where} ({saved[key]}); leave {flag} out"
            )


def describe(model: Network) -> str:
    """The layers in one line: 784 -> dense 128 -> relu -> ... -> dense 10."""
    parts = [" x ".join(str(n) for n in model.input_shape)]
    parts += [spec_of(layer) for layer in model.layers]
    return " -> ".join(parts)


def is_mlp(model: Network) -> bool:
    """Whether every layer with weights is dense: an MLP, whose dropout --dropout places."""
    return all(isinstance(layer, Dense) for layer in model.layers if layer.params)
