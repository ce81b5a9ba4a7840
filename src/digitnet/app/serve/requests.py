"""What the live page asks for: the JSON of POST /api/train and the other JSON bodies, checked
and turned into a run's settings, with a one-line reason for anything wrong."""

from __future__ import annotations

import re

from ...checks import integer, positive_number
from ...errors import DigitnetError
from ...training.settings import CHOICES, MAX_SEED, PRESETS, RunSettings, resolve

# The keys of POST /api/train; a key left out takes `digitnet train`'s default (or the preset's)
TRAIN_KEYS = (
    "preset",
    "layers",
    "continue",
    "optimizer",
    "lr",
    "batch_size",
    "epochs",
    "limit",
    "augment",
    "seed",
)
MAX_EPOCHS = 1000
MAX_BATCH = 60_000
SAVE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.npz")


def settings_from_json(payload: object) -> tuple[RunSettings, bool]:
    """The settings of the run POST /api/train asks for, and whether it continues the current
    network ({"continue": true}) rather than starting a new one."""
    body = _object(payload, "POST /api/train")
    unknown = sorted(set(body) - set(TRAIN_KEYS))
    if unknown:
        raise DigitnetError(f"unknown keys {unknown}; known: {', '.join(TRAIN_KEYS)}")
    keep_going = body.get("continue", False)
    if not isinstance(keep_going, bool):
        raise DigitnetError(f'"continue" must be true or false, got {keep_going!r}')
    preset, layers = body.get("preset"), body.get("layers")
    if keep_going and (preset is not None or layers is not None):
        raise DigitnetError('"continue" trains the current network: leave "preset"/"layers" out')
    if preset is not None and (not isinstance(preset, str) or preset not in PRESETS):
        raise DigitnetError(f'"preset" must be one of {", ".join(PRESETS)}, got {preset!r}')
    if layers is not None and (not isinstance(layers, str) or not layers.strip()):
        raise DigitnetError(f'"layers" must be a spec like "dense 128, relu", got {layers!r}')
    explicit = {
        "layers": layers,
        "optimizer": _choice(body, "optimizer"),
        "augment": _choice(body, "augment"),
        "lr": _number(body, "lr"),
        "batch_size": _integer(body, "batch_size", 1, MAX_BATCH),
        "epochs": _integer(body, "epochs", 1, MAX_EPOCHS),
        "limit": _integer(body, "limit", 1, None),
        "seed": _integer(body, "seed", 0, MAX_SEED),
    }
    return resolve(explicit, preset), keep_going


def learning_rate_from_json(payload: object) -> float:
    """The learning rate of POST /api/lr {"lr": x}: a finite number > 0."""
    body = _object(payload, "POST /api/lr")
    if "lr" not in body:
        raise DigitnetError('expected {"lr": a number > 0}')
    lr = _number(body, "lr")
    assert lr is not None
    return lr


def label_from_json(payload: object) -> int:
    """The class of POST /api/teach {"image": ..., "label": 0-9}: the digit, or the number of
    a named class (its place in GET /api/options' "classes")."""
    body = _object(payload, "POST /api/teach")
    label = body.get("label")
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
        raise DigitnetError(f'"label" must be a class number 0-9, got {label!r}')
    return label


def save_name_from_json(payload: object) -> str:
    """The file name of POST /api/save {"name": "my-model.npz"}: a plain name ending in .npz,
    never a path (no separators, no "..")."""
    body = _object(payload, "POST /api/save")
    name = body.get("name")
    if not isinstance(name, str) or "/" in name or "\\" in name or ".." in name:
        raise DigitnetError(f'"name" must be a file name without a folder, got {name!r}')
    if not SAVE_NAME.fullmatch(name):
        raise DigitnetError(
            f'"name" must be letters, digits, ".", "_" or "-", ending in .npz, got {name!r}'
        )
    return name


def _object(payload: object, where: str) -> dict:
    if not isinstance(payload, dict):
        raise DigitnetError(f"{where} expects a JSON object")
    return payload


def _choice(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is not None and value not in CHOICES[key]:
        raise DigitnetError(f'"{key}" must be one of {", ".join(CHOICES[key])}, got {value!r}')
    return value


def _number(body: dict, key: str) -> float | None:
    value = body.get(key)
    return None if value is None else positive_number(f'"{key}"', value)


def _integer(body: dict, key: str, least: int, most: int | None) -> int | None:
    value = body.get(key)
    return None if value is None else integer(f'"{key}"', value, least, most)
