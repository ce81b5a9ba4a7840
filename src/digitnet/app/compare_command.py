"""`digitnet compare`: train several recipes on the same data, network and seed, and draw their
learning curves in one picture, with a table of final accuracies and times.

A recipe is an optimizer and settings, as text: "gd lr=0.001", "momentum lr=0.05 batch=64",
"adam schedule=constant". Keys: lr, batch, momentum, schedule, warmup, decay (weight decay).
A setting left out takes `digitnet train`'s default.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..data.datasets import DataSplits, load_data
from ..errors import DigitnetError, DivergenceError
from ..optim import OPTIMIZERS, make_optimizer
from ..optim.schedules import SCHEDULES
from ..training.history import History
from ..training.loop import fit
from ..training.settings import RunSettings, resolve
from .run_model import fresh_model

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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
        if key in ("lr", "batch") and value <= 0:
            raise DigitnetError(f"recipe {text!r}: {key} must be > 0")
        if key == "schedule" and value not in SCHEDULES:
            raise DigitnetError(f"recipe {text!r}: schedule must be one of {', '.join(SCHEDULES)}")
        values[name] = value
    return values


def plan_recipes(
    recipes: list[str],
    epochs: int = 10,
    seed: int = 0,
    layers: str | None = None,
    n_features: int = 784,
) -> list[RunSettings]:
    """Each recipe's settings, checked before anything trains: its optimizer is built, its
    warm-up fits in the epochs, and the network (for n_features pixels) can be built."""
    plans = []
    for text in recipes:
        s = resolve({**parse_recipe(text), "epochs": epochs, "seed": seed, "layers": layers})
        make_optimizer(s.optimizer, s.lr, s.momentum, s.weight_decay)  # checks the values
        if s.warmup_epochs > epochs:
            raise DigitnetError(f"recipe {text!r}: warmup must be at most --epochs ({epochs})")
        plans.append(s)
    if plans:  # the same network for every recipe: a bad --layers fails here, once
        fresh_model(plans[0], n_features)
    return plans


def run_recipes(
    recipes: list[str],
    epochs: int = 10,
    limit: int | None = None,
    seed: int = 0,
    layers: str | None = None,
    data: str | None = None,
    verbose: bool = False,
) -> list[Result]:
    """Train each recipe from the same initial weights, on the same images in the same order,
    scoring the evaluation set after each epoch. A diverging recipe keeps its epochs so far."""
    splits = load_data(data, "uint8", limit, seed=seed)
    plans = plan_recipes(recipes, epochs, seed, layers, splits.X_train.shape[1])  # all checked
    return [train_recipe(text, s, splits, verbose, max(map(len, recipes))) for text, s in
            zip(recipes, plans)]  # fmt: skip


def train_recipe(
    text: str, s: RunSettings, splits: DataSplits, verbose: bool, width: int
) -> Result:
    """One recipe's run, scored on the evaluation set after every epoch."""
    model = fresh_model(s, splits.X_train.shape[1])
    optimizer = make_optimizer(s.optimizer, s.lr, s.momentum, s.weight_decay)
    result, history = Result(text), History()
    started = time.perf_counter()
    try:
        fit(
            model,
            splits.X_train,
            splits.y_train,
            epochs=s.epochs,
            batch_size=s.batch_size,
            optimizer=optimizer,
            validation_data=(splits.X_eval, splits.y_eval),
            verbose=0,
            lr_schedule=s.schedule,
            warmup_epochs=s.warmup_epochs,
            callbacks=[history],
        )
    except DivergenceError as error:  # its epochs so far stay in the picture
        result.diverged = str(error)
    result.history = history.history
    result.seconds = time.perf_counter() - started
    if verbose:
        print(row(result, width), flush=True)
    return result


def row(result: Result, width: int = 32) -> str:
    """One line of the table: recipe, final test accuracy and loss, seconds."""
    if result.diverged:
        return f"{result.recipe:<{width}} diverged ({result.diverged.split(';')[0]})"
    accuracy, loss = result.history["val_accuracy"][-1], result.history["val_loss"][-1]
    return f"{result.recipe:<{width}} {accuracy:>8.2%} {loss:>9.4f} {result.seconds:>8.1f}"


def comparison_figure(results: list[Result], title: str, eval_name: str = "test") -> Figure:
    """Training loss (log scale) and evaluation accuracy per epoch, one line per recipe."""
    from .figures import new_figure

    fig = new_figure((10, 3.8))
    loss_ax, accuracy_ax = fig.subplots(1, 2)
    for result in results:
        history = result.history
        if not history.get("loss"):
            continue
        epochs = range(1, len(history["loss"]) + 1)
        label = result.recipe + (" (diverged)" if result.diverged else "")
        loss_ax.plot(epochs, history["loss"], marker="o", markersize=3, label=label)
        accuracy_ax.plot(epochs, history["val_accuracy"], marker="o", markersize=3, label=label)
    loss_ax.set_yscale("log")
    loss_ax.set_ylabel("training loss (log scale)")
    accuracy_ax.set_ylabel(f"{eval_name} accuracy")
    for ax in (loss_ax, accuracy_ax):
        ax.set_xlabel("epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
    if accuracy_ax.get_lines():  # every recipe may have diverged in its first epoch
        accuracy_ax.legend(fontsize=8, loc="lower right")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def cmd_compare(args: argparse.Namespace) -> int:
    """Train the recipes side by side; print the table; write the picture."""
    from .exit_codes import DIVERGED
    from .figures import save_png

    out = Path(args.out)
    if not out.parent.is_dir():
        raise DigitnetError(f"{out.parent}: no such folder for --out")
    splits = load_data(args.data, "uint8", args.limit, seed=args.seed)
    n_features = splits.X_train.shape[1]
    plans = plan_recipes(args.recipes, args.epochs, args.seed, args.layers, n_features)
    network = args.layers or "784-128-64-10 MLP"
    images = f"{len(splits.X_train):,} training images"
    epochs = f"{args.epochs} epoch" + ("s" if args.epochs != 1 else "")
    print(f"{network}, {images}, {epochs}, seed {args.seed}; scored on {splits.eval_name}")
    width = max(len(text) for text in [*args.recipes, "recipe"])
    short = "test" if splits.eval_name == "test" else "val"
    print(f"{'recipe':<{width}} {short + ' acc':>8} {short + ' loss':>9} {'seconds':>8}")
    results = [train_recipe(text, s, splits, True, width) for text, s in zip(args.recipes, plans)]
    title = f"{network}: {images}, seed {args.seed}, same initial weights"
    figure = comparison_figure(results, title, splits.eval_name)
    print(f"wrote {save_png(figure, out)}")
    return DIVERGED if all(result.diverged for result in results) else 0
