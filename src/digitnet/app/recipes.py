"""Recipes compared side by side (`digitnet compare`, tutorial 3): several optimizers and settings
trained on the same data, network, initial weights and batch order.

A recipe is an optimizer and settings, as text: "gd lr=0.001", "momentum lr=0.05 batch=64",
"adam schedule=constant". Keys: lr, batch, momentum, schedule, warmup, decay (weight decay).
A setting left out takes `digitnet train`'s default.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from .. import checks
from ..data.datasets import DataSplits, load_data
from ..errors import DigitnetError, DivergenceError
from ..nn.threads import thread_count
from ..optim import OPTIMIZERS
from ..optim.schedules import SCHEDULES
from ..training.diagnostics import LearningMonitor
from ..training.history import History
from ..training.loop import fit_recipe
from ..training.settings import COMPARE_EPOCHS, RunSettings, optimizer_of, resolve
from .networks import fresh_model

KEYS = {  # recipe key: (RunSettings field, type)
    "lr": ("lr", float),
    "batch": ("batch_size", int),
    "momentum": ("momentum", float),
    "schedule": ("schedule", str),
    "warmup": ("warmup_epochs", float),
    "decay": ("weight_decay", float),
}


@dataclass
class Result:
    """One recipe's run: its per-epoch history, final test scores, seconds, and divergence."""

    recipe: str
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    diverged: str | None = None  # the divergence message, if it diverged
    hint: str | None = None  # the not-learning hint of its last epoch that had one


def parse_recipe(text: str) -> dict:
    """The RunSettings values a recipe names: "momentum lr=0.05 batch=64" -> {"optimizer":
    "momentum", "lr": 0.05, "batch_size": 64}. A one-line error names the bad part."""
    words = text.split()
    if not words or words[0] not in OPTIMIZERS:
        raise DigitnetError(
            f"recipe {text!r} must start with an optimizer: {', '.join(OPTIMIZERS)}"
        )
    values: dict = {"optimizer": words[0]}
    given: set[str] = set()
    for word in words[1:]:
        key, _, raw = word.partition("=")
        if key not in KEYS or not raw:
            raise DigitnetError(
                f"recipe {text!r}: {word!r} is not key=value with a key among {', '.join(KEYS)}"
            )
        if key in given:
            raise DigitnetError(f"recipe {text!r}: {key} is given twice")
        given.add(key)
        if key == "momentum" and words[0] not in ("momentum", "nesterov"):
            raise DigitnetError(f"recipe {text!r}: momentum applies to momentum and nesterov only")
        name, kind = KEYS[key]
        try:
            value = kind(raw)
        except ValueError:
            what = {"float": "a number", "int": "a whole number", "str": "text"}[kind.__name__]
            raise DigitnetError(f"recipe {text!r}: {key} must be {what}") from None
        if kind is not str and not (math.isfinite(value) and value >= 0):
            raise DigitnetError(f"recipe {text!r}: {key} must be a finite number >= 0")
        try:
            if key == "lr":
                checks.positive_number(key, value)
            elif key == "batch":
                checks.integer(key, value)
        except DigitnetError as error:
            raise DigitnetError(f"recipe {text!r}: {error}") from None
        if key == "schedule" and value not in SCHEDULES:
            raise DigitnetError(f"recipe {text!r}: schedule must be one of {', '.join(SCHEDULES)}")
        values[name] = value
    return values


def plan_recipes(
    recipes: list[str],
    epochs: int = COMPARE_EPOCHS,
    seed: int = 0,
    layers: str | None = None,
    n_features: int = 784,
) -> list[RunSettings]:
    """Each recipe's settings, checked before anything trains: its optimizer is built, its
    warm-up fits in the epochs, and the network (for n_features pixels) can be built."""
    plans = []
    for text in recipes:
        settings = resolve(
            {**parse_recipe(text), "epochs": epochs, "seed": seed, "layers": layers}
        )
        optimizer_of(settings)  # checks the values
        if settings.warmup_epochs > epochs:
            raise DigitnetError(f"recipe {text!r}: warmup must be at most --epochs ({epochs})")
        plans.append(settings)
    if plans:  # the same network for every recipe: a bad --layers fails here, once
        fresh_model(plans[0], n_features)
    return plans


def run_recipes(
    recipes: list[str],
    epochs: int = COMPARE_EPOCHS,
    limit: int | None = None,
    seed: int = 0,
    layers: str | None = None,
    data: str | None = None,
    classes: str | None = None,
) -> list[Result]:
    """Train each recipe from the same initial weights, on the same images in the same order,
    scoring the evaluation set after each epoch. A diverging recipe keeps its epochs so far;
    `classes` names the labels of `data` (as `digitnet compare --classes`)."""
    splits = load_data(data, "uint8", limit, seed=seed, classes=classes)
    plans = plan_recipes(recipes, epochs, seed, layers, splits.X_train.shape[1])  # all checked
    same_threads(plans, None)
    return [train_recipe(text, settings, splits) for text, settings in zip(recipes, plans)]


def same_threads(plans: list[RunSettings], threads: int | None) -> None:
    """Give every recipe one thread count, chosen once: `threads`, else the default, which drops
    to one thread while other programs are busy; recipes on other counts would round
    differently, and be timed on other terms."""
    count = thread_count(threads)
    for settings in plans:
        settings.threads = count


def train_recipe(text: str, settings: RunSettings, splits: DataSplits) -> Result:
    """One recipe's run, scored on the evaluation set after every epoch."""
    model = fresh_model(settings, splits.X_train.shape[1], splits.n_classes, splits.classes)
    optimizer = optimizer_of(settings)
    result, history = Result(text), History()
    hints: list[str] = []
    started = time.perf_counter()
    try:
        fit_recipe(
            model,
            splits.X_train,
            splits.y_train,
            settings,
            optimizer,
            validation_data=(splits.X_eval, splits.y_eval),
            verbose=0,
            callbacks=[history, LearningMonitor(say=hints.append)],
        )
    except DivergenceError as error:  # its epochs so far stay in the picture
        result.diverged = str(error)
    result.hint = hints[-1] if hints else None
    result.history = history.history
    result.seconds = time.perf_counter() - started
    return result
