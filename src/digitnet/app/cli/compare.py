"""`digitnet compare`: train several recipes side by side, print a table of their final scores
and draw their learning curves in one picture (the recipes themselves: app/recipes.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...data.datasets import load_data
from ...training.settings import COMPARE_EPOCHS
from ..recipes import KEYS, Result, plan_recipes, same_threads, train_recipe
from . import arguments
from .exit_codes import DIVERGED, OK


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet compare`."""
    compare = commands.add_parser(
        "compare", help="train several recipes side by side and draw their learning curves"
    )
    compare.add_argument(
        "recipes",
        metavar="RECIPE",
        nargs="+",
        help='an optimizer and settings, e.g. "gd lr=0.1" "momentum lr=0.05 batch=64" "adam" '
        f"(keys: {', '.join(KEYS)})",
    )
    compare.add_argument(
        "--epochs",
        type=arguments.positive_int,
        default=COMPARE_EPOCHS,
        help=f"epochs of each ({COMPARE_EPOCHS})",
    )
    compare.add_argument("--limit", type=arguments.positive_int, help="training images (all)")
    compare.add_argument(
        "--seed", type=arguments.seed, default=0, help="initial weights and order (0)"
    )
    compare.add_argument("--layers", help="the network as text (default: the 784-128-64-10 MLP)")
    arguments.add_data(compare, "IDX folder or CSV (bundled MNIST)")
    arguments.add_classes(compare)
    compare.add_argument("--out", default="compare.png", help="the picture (compare.png)")
    arguments.add_threads(compare, "each step")
    compare.set_defaults(handler=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    """Train the recipes side by side; print the table; write the picture."""
    from ..plots.compare import comparison_figure
    from ..plots.figures import save_png

    out = Path(args.out)
    arguments.check_writable_file(out, "--out")
    splits = load_data(args.data, "uint8", args.limit, seed=args.seed, classes=args.classes)
    n_features = splits.X_train.shape[1]
    plans = plan_recipes(args.recipes, args.epochs, args.seed, args.layers, n_features)
    same_threads(plans, args.threads)
    network = args.layers or f"{n_features}-128-64-{splits.n_classes} MLP"
    images = f"{len(splits.X_train):,} training images"
    epochs = f"{args.epochs} epoch" + ("s" if args.epochs != 1 else "")
    print(f"{network}, {images}, {epochs}, seed {args.seed}; scored on {splits.eval_name}")
    if splits.classes is not None:
        print(f"classes: {', '.join(splits.classes)}")
    width = max(len(text) for text in [*args.recipes, "recipe"])
    short = "test" if splits.eval_name == "test" else "val"
    print(f"{'recipe':<{width}} {short + ' acc':>8} {short + ' loss':>9} {'seconds':>8}")
    results = []
    for text, settings in zip(args.recipes, plans):
        results.append(train_recipe(text, settings, splits))
        print(row(results[-1], width), flush=True)
        if results[-1].hint is not None and not results[-1].diverged:
            print(f"  {results[-1].hint}", flush=True)
    title = f"{network}: {images}, seed {args.seed}, same initial weights"
    figure = comparison_figure(results, title, splits.eval_name)
    print(f"wrote {save_png(figure, out)}")
    return DIVERGED if all(result.diverged for result in results) else OK


def row(result: Result, width: int = 32) -> str:
    """One line of the table: recipe, final accuracy and loss, seconds."""
    if result.diverged:
        return f"{result.recipe:<{width}} diverged ({result.diverged.split(';')[0]})"
    accuracy, loss = result.history["val_accuracy"][-1], result.history["val_loss"][-1]
    stalled = "  not learning (hint below)" if result.hint is not None else ""
    return (
        f"{result.recipe:<{width}} {accuracy:>8.2%} {loss:>9.4f} {result.seconds:>8.1f}{stalled}"
    )
