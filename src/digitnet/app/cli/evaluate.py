"""`digitnet evaluate MODEL`: test loss, accuracy and per-class accuracy, as text or JSON."""

from __future__ import annotations

import argparse
import json

from ..networks import test_set_for
from . import arguments


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet evaluate`."""
    evaluate = commands.add_parser("evaluate", help="test loss, accuracy and per-class accuracy")
    arguments.add_model(evaluate)
    arguments.add_data(
        evaluate,
        "IDX folder (its t10k files) or labelled CSV (every row); "
        "default: the bundled MNIST test set",
    )
    arguments.add_classes(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    arguments.add_threads(evaluate, "the predictions")
    evaluate.set_defaults(handler=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    """Print test loss, accuracy and per-class accuracy (or JSON)."""
    from ...model import load_model
    from ...nn.metrics import per_class_accuracy

    model = load_model(args.model)
    model.threads = args.threads
    X, y = test_set_for(model, args.data, args.classes, args.model)
    names = model.classes
    result = model.evaluate(X, y)
    per_class = per_class_accuracy(model.predict(X), y, model.n_classes)
    if args.json:
        print(
            json.dumps(
                {
                    "accuracy": result["accuracy"],
                    "loss": result["loss"],
                    "n": len(y),
                    "per_class_accuracy": [None if c != c else float(c) for c in per_class],
                    "classes": list(names),
                }
            )
        )
        return 0
    print(f"accuracy {result['accuracy']:.2%}  loss {result['loss']:.4f}  n {len(y)}")
    print("per-class accuracy:")
    width = max(len(name) for name in names)
    for name, value in zip(names, per_class):
        shown = f"{value:.2%}" if value == value else "(no samples)"
        print(f"  {name + ':':<{width + 1}} {shown}")
    return 0
