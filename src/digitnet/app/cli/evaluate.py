"""`digitnet evaluate MODEL`: test loss, accuracy and per-class accuracy, as text or JSON."""

from __future__ import annotations

import argparse
import json

from ...errors import DigitnetError
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
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    arguments.add_threads(evaluate, "the predictions")
    evaluate.set_defaults(handler=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    """Print test loss, accuracy and per-class accuracy (or JSON)."""
    from ...data.datasets import load_test_set
    from ...model import load_model
    from ...nn.metrics import per_class_accuracy

    model = load_model(args.model)
    model.threads = args.threads
    X, y = load_test_set(args.data)
    if X.shape[1] != model.n_inputs:
        raise DigitnetError(
            f"{args.model} takes {model.n_inputs} inputs, the data has "
            f"{X.shape[1]} pixels per image"
        )
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
                }
            )
        )
        return 0
    print(f"accuracy {result['accuracy']:.2%}  loss {result['loss']:.4f}  n {len(y)}")
    print("per-class accuracy:")
    for digit, value in enumerate(per_class):
        print(f"  {digit}: {value:.2%}" if value == value else f"  {digit}: (no samples)")
    return 0
