"""Which network a `digitnet train` run trains when flags are involved: the --init model, after
checking that the flags given agree with it, and the checks that --layers and the MLP flags do
not contradict each other."""

from __future__ import annotations

import argparse

import numpy as np

from ...data.classes import agreed_names
from ...data.datasets import DataSplits
from ...errors import DigitnetError
from ...model import load_model
from ...nn.network import Network
from ...nn.spec import build_layers, parse_terms, spec_of
from ...training.settings import RunSettings
from ..networks import describe_network, fresh_model, is_mlp


def new_model(args: argparse.Namespace, settings: RunSettings, data: DataSplits) -> Network:
    """A fresh network for this run, or the --init model when the flags and data agree with
    it; named by the data's classes, or the --init model's."""
    n_features = data.X_train.shape[1]
    if args.init is None:
        return fresh_model(settings, n_features, data.n_classes, data.classes)
    model = load_model(args.init)
    if model.n_inputs != n_features:
        raise DigitnetError(
            f"{args.init}: model takes {model.n_inputs} inputs, "
            f"the data has {n_features} pixels per image"
        )
    if model.n_classes < data.n_classes or (data.classes and model.n_classes != data.n_classes):
        raise DigitnetError(
            f"{args.init}: model scores {model.n_classes} classes, the data has {data.n_classes}"
        )
    model.classes = agreed_names(model.class_names, data.classes, args.init, data.source)
    saved: dict = {"dtype": model.dtype}
    if settings.layers is not None:  # the spec (given, or a preset's) must describe the model
        wanted = build_layers(settings.layers, model.input_shape, model.n_classes)
        saved["layers"] = ", ".join(spec_of(layer) for layer in model.layers)
        if [layer.config() for layer in wanted] != [layer.config() for layer in model.layers]:
            raise DigitnetError(
                f"--layers {settings.layers!r} disagrees with {args.init} ({saved['layers']}); "
                "leave --layers (and --preset) out"
            )
    elif not is_mlp(model):
        for key in ("hidden", "activation"):
            if getattr(args, key) is not None:
                raise DigitnetError(
                    f"--{key} describes an MLP, but {args.init} is not one "
                    f"({describe_network(model)}); leave --{key} out"
                )
    else:
        activations = model.activation_names()
        dense = [layer for layer in model.layers if layer.params]
        saved["hidden"] = [layer.params["b"].size for layer in dense[:-1]]
        saved["activation"] = activations[0] if activations else None
    check_same({k: getattr(args, k) for k in saved if k != "layers"}, saved, args.init)
    model.rng = np.random.default_rng(settings.seed)  # shuffling follows --seed
    return model


def check_layers_flags(explicit: dict, settings: RunSettings) -> None:
    """--hidden and --activation describe an MLP: with --layers (or a preset's), refuse them."""
    assert settings.layers is not None
    for key in ("hidden", "activation"):
        if explicit.get(key) is not None:
            raise DigitnetError(
                f"--{key} describes an MLP, but this run's network is --layers "
                f"{settings.layers!r}; put the layers in the spec instead"
            )
    has_dropout = any(name == "dropout" for name, _, _ in parse_terms(settings.layers))
    if has_dropout and (settings.dropout or settings.input_dropout):
        raise DigitnetError("--layers places dropout itself: leave --dropout/--input-dropout out")


def check_same(explicit: dict, saved: dict, where: str) -> None:
    """Flags given explicitly must agree with what `where` (a checkpoint or model) says."""
    for key, value in explicit.items():
        if value is not None and key in saved and value != saved[key]:
            flag = "--" + key.replace("_", "-")
            raise DigitnetError(
                f"{flag} {value} disagrees with {where} ({saved[key]}); leave {flag} out"
            )
