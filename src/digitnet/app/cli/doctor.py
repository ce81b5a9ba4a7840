"""`digitnet doctor [MODEL | --layers SPEC | --parts DIR]`: the sanity checks before a long run,
one by one, each with pass or fail, what it measured and what to do."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ...training.settings import CHOICES, DEFAULTS
from . import arguments
from .exit_codes import FAILED_CHECK, OK

if TYPE_CHECKING:
    from ...nn.network import Network
    from ...optim.base import Optimizer

TRAINING_IMAGES = 10_000  # the checks use the first 10,000 training images


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet doctor`."""
    doctor = commands.add_parser(
        "doctor", help="sanity checks before a long run: loss at start, gradients, overfit, lr"
    )
    doctor.add_argument(
        "model", metavar="MODEL", nargs="?", help="check this saved model (default: a new one)"
    )
    doctor.add_argument("--layers", metavar="SPEC", help="check a new network of these layers")
    doctor.add_argument(
        "--parts", metavar="DIR", help="with the parts you wrote in DIR (digitnet learn)"
    )
    doctor.add_argument(
        "--optimizer",
        choices=CHOICES["optimizer"],
        default=DEFAULTS["optimizer"],
        help=f"the run's update rule ({DEFAULTS['optimizer']})",
    )
    doctor.add_argument(
        "--lr",
        type=arguments.positive_float,
        default=DEFAULTS["lr"],
        help=f"the run's learning rate ({DEFAULTS['lr']})",
    )
    doctor.add_argument("--seed", type=arguments.seed, default=0, help="random seed (0)")
    arguments.add_data(doctor, "the training data to check and train on (bundled MNIST)")
    doctor.add_argument(
        "--lr-plot", metavar="FILE.png", help="draw the range test's loss against the rate"
    )
    doctor.add_argument("--json", action="store_true", help="print the results as JSON")
    doctor.set_defaults(handler=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    """Run every check; exit 0 only when each passes (or does not apply)."""
    from ...data.datasets import load_data, require_ten_classes
    from ...doctor import diagnose
    from ...errors import DigitnetError
    from ...learn.parts import learner_optimizer, load_parts, use_parts
    from ...model import MLP, Sequential, load_model
    from ...nn.spec import build_layers, spec_of, takes_images
    from ...nn.work import multiply_adds
    from ...optim import make_optimizer
    from ..networks import describe_network, image_shape

    if args.model is not None and args.layers is not None:
        raise DigitnetError("give MODEL or --layers, not both")
    if args.lr_plot is not None:
        arguments.check_writable_file(Path(args.lr_plot), "--lr-plot")
    data = require_ten_classes(load_data(args.data, "uint8"), "doctor")
    X, y = data.X_train[:TRAINING_IMAGES], data.y_train[:TRAINING_IMAGES]
    pixels = X.shape[1]
    if args.model is not None:
        model = load_model(args.model)
    elif args.layers is not None:
        shape = image_shape(pixels) if takes_images(args.layers) else (pixels,)
        model = Sequential(build_layers(args.layers, shape), input_shape=shape, seed=args.seed)
    else:
        model = MLP([pixels, *DEFAULTS["hidden"], 10], seed=args.seed)
    parts = load_parts(args.parts) if args.parts is not None else None
    if parts is not None and not args.json:
        checks = parts.checks()
        print(f"your parts from {parts.folder} ({checks})")
    prepare: Callable[[Network], Network] | None = None
    if parts is not None:
        use_parts(model, parts, draw_weights=args.model is None)

        def prepare(twin: Network) -> Network:
            use_parts(twin, parts, draw_weights=False)
            return twin

    def new_optimizer() -> Optimizer:
        optimizer = make_optimizer(args.optimizer, args.lr)
        return optimizer if parts is None else learner_optimizer(optimizer, parts)

    findings, test = diagnose(model, X, y, new_optimizer, args.model is None, prepare)
    if args.lr_plot is not None:
        from ..plots.doctor import plot_lr_range

        plot_lr_range(test, args.lr, Path(args.lr_plot))
    passed = all(f.passed is not False for f in findings)
    work = [(spec_of(layer), count) for layer, count in zip(model.layers, multiply_adds(model))]
    if args.json:
        print(json.dumps({"network": describe_network(model), "passed": passed,
                          "multiply_adds": [count for _, count in work],
                          "checks": [vars(f) for f in findings]}))  # fmt: skip
        return OK if passed else FAILED_CHECK
    print(f"network: {describe_network(model)}; {args.optimizer} lr {args.lr:g}")
    counted = ", ".join(f"{name} {count:,}" for name, count in work if count)
    print(f"multiply-adds per image: {sum(c for _, c in work):,} ({counted})")
    print(f"data: {data.source}, the first {len(X):,} training images")
    for f in findings:
        mark = {True: "pass", False: "FAIL", None: "n/a "}[f.passed]
        print(f"  {mark}  {f.name}: {f.measured}")
        if f.advice:
            print(f"        -> {f.advice}")
    if args.lr_plot is not None:
        print(f"wrote {args.lr_plot}")
    failed = sum(f.passed is False for f in findings)
    print("all checks passed" if passed else f"{failed} of {len(findings)} checks failed")
    return OK if passed else FAILED_CHECK
