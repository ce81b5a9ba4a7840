"""The `digitnet` command: argparse subcommands over the library (train, evaluate, gradcheck).

`main(argv)` returns an exit code, so tests call it with a list. Bad input becomes one line on
stderr and a non-zero exit (2 for bad input, 3 for divergence); `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

from .errors import DigitnetError, DivergenceError
from .presets import DEFAULTS, PRESETS, resolve

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, like every other digitnet error."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _hidden_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--hidden must be integers like 128,64, got {text!r}"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--hidden sizes must be >= 1, got {text!r}")
    return sizes


def _number(convert, description: str, is_valid):
    """An argparse type: `convert` the text, then insist that is_valid(value)."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {description}, got {text!r}") from None
        if not is_valid(value):
            raise argparse.ArgumentTypeError(f"expected {description}, got {text!r}")
        return value

    return parse


_positive_int = _number(int, "an integer >= 1", lambda v: v >= 1)
_positive_float = _number(float, "a finite number > 0", lambda v: 0 < v < math.inf)
_non_negative_float = _number(float, "a finite number >= 0", lambda v: 0 <= v < math.inf)
_momentum = _number(float, "a momentum in [0, 1)", lambda v: 0 <= v < 1)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    from . import __version__
    from .layers import ACTIVATIONS
    from .optim import OPTIMIZERS
    from .schedules import SCHEDULES

    parser = _Parser(prog="digitnet", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"digitnet {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = commands.add_parser("train", help="train a network and report its test accuracy")
    d = DEFAULTS
    flags = [  # (flag, type or choices, help); every default below comes from presets.DEFAULTS
        ("--preset", list(PRESETS), "a named recipe for the settings you leave out"),
        ("--epochs", _positive_int, f"passes over the training set ({d['epochs']})"),
        ("--batch-size", _positive_int, f"images per step ({d['batch_size']})"),
        ("--optimizer", OPTIMIZERS, f"update rule ({d['optimizer']})"),
        ("--lr", _positive_float, f"learning rate ({d['lr']})"),
        ("--momentum", _momentum, f"for momentum/nesterov ({d['momentum']})"),
        ("--schedule", SCHEDULES, f"learning-rate schedule ({d['schedule']}: --lr down to 0)"),
        ("--warmup-epochs", _non_negative_float, "linear learning-rate warm-up first (0)"),
        ("--hidden", _hidden_sizes, "hidden layer sizes, e.g. 256,128 (128,64)"),
        ("--activation", list(ACTIVATIONS), f"hidden activation ({d['activation']})"),
        ("--dtype", ["float32", "float64"], f"floating-point type ({d['dtype']})"),
    ]
    for flag, kind, text in flags:
        if isinstance(kind, list | tuple):
            train.add_argument(flag, choices=kind, default=None, help=text)
        else:
            train.add_argument(flag, type=kind, default=None, help=text)
    train.add_argument("--seed", type=int, default=0, help="random seed (0)")
    train.add_argument(
        "--data",
        help="folder of MNIST-named IDX files, or a Kaggle-style CSV (default: the bundled MNIST)",
    )
    train.add_argument(
        "--val-fraction",
        type=float,
        default=0.1,
        help="share held out for validation when the data has no test set (0.1)",
    )
    train.add_argument("--limit", type=_positive_int, help="train on the first N images only")
    train.add_argument("--init", metavar="MODEL", help="start from a saved model's weights")
    train.add_argument(
        "--out",
        metavar="MODEL",
        default="model.npz",
        help="where to save the trained model (model.npz)",
    )
    train.add_argument("--history", metavar="FILE.csv", help="write per-epoch metrics as CSV")
    train.add_argument(
        "--quiet",
        action="store_true",
        help="print only the result (and skip the per-epoch test evaluation)",
    )
    train.set_defaults(handler=cmd_train)

    evaluate = commands.add_parser("evaluate", help="test loss, accuracy and per-class accuracy")
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument(
        "--data",
        default=None,
        help="IDX folder (its t10k files) or labelled CSV (every row); "
        "default: the bundled MNIST test set",
    )
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    evaluate.set_defaults(handler=cmd_evaluate)

    gradcheck = commands.add_parser(
        "gradcheck", help="check every gradient against finite differences"
    )
    gradcheck.add_argument("--seed", type=int, default=0)
    gradcheck.set_defaults(handler=cmd_gradcheck)
    return parser


def cmd_train(args: argparse.Namespace) -> int:
    """Train, print progress and the final test (or validation) accuracy, save the model."""
    from .datasets import load_data
    from .model import MLP
    from .optim import make_optimizer
    from .serialization import load_model

    settings = resolve({key: getattr(args, key) for key in DEFAULTS}, args.preset)
    model = None
    if args.init is not None:
        model = load_model(args.init)
        _check_matches_init(args, model)
    data = load_data(args.data, "uint8", args.limit, args.val_fraction, args.seed)
    n_features = data.X_train.shape[1]
    if model is None:
        model = MLP(
            [n_features, *settings["hidden"], 10],
            settings["activation"],
            seed=args.seed,
            dtype=settings["dtype"],
        )
    elif model.layer_sizes[0] != n_features:
        raise DigitnetError(
            f"{args.init}: model takes {model.layer_sizes[0]} inputs, "
            f"the data has {n_features} pixels per image"
        )
    optimizer = make_optimizer(settings["optimizer"], settings["lr"], settings["momentum"])
    eval_name = data.eval_name
    if not args.quiet:
        print(
            f"data: {data.source}: {len(data.X_train)} training images, "
            f"{len(data.X_eval)} {eval_name} images"
        )
        print(
            f"model: {model.layer_sizes} {model.activations[0] if model.activations else ''} "
            f"{model.dtype}; {settings['optimizer']} lr {settings['lr']:g} "
            f"({settings['schedule']}), batch {settings['batch_size']}, "
            f"{settings['epochs']} epochs"
        )
    # Quiet runs print no epoch lines, so they skip the per-epoch test evaluation (unless the
    # history file asks for it) and score the test set once, at the end.
    per_epoch_eval = not args.quiet or args.history is not None
    start = time.perf_counter()
    history = model.fit(
        data.X_train,
        data.y_train,
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        optimizer=optimizer,
        validation_data=(data.X_eval, data.y_eval) if per_epoch_eval else None,
        verbose=0 if args.quiet else 1,
        lr_schedule=settings["schedule"],
        warmup_epochs=settings["warmup_epochs"],
        validation_name="test" if eval_name == "test" else "val",
    )
    seconds = time.perf_counter() - start
    model.save(args.out)
    if args.history:
        history.to_csv(args.history)
    result = model.evaluate(data.X_eval, data.y_eval)
    print(
        f"{eval_name} accuracy: {result['accuracy']:.2%} (loss {result['loss']:.4f}, "
        f"n={len(data.y_eval)}) after {settings['epochs']} epochs in {seconds:.1f}s; "
        f"model saved to {args.out}"
    )
    return 0


def _check_matches_init(args: argparse.Namespace, model) -> None:
    """With --init, architecture flags must agree with the saved model (or be left out)."""
    if args.hidden is not None and args.hidden != model.layer_sizes[1:-1]:
        raise DigitnetError(
            f"--hidden {args.hidden} disagrees with {args.init}, whose hidden "
            f"layers are {model.layer_sizes[1:-1]}; leave --hidden out"
        )
    if args.activation is not None and any(a != args.activation for a in model.activations):
        raise DigitnetError(
            f"--activation {args.activation} disagrees with {args.init} "
            f"({model.activations}); leave --activation out"
        )
    if args.dtype is not None and args.dtype != model.dtype:
        raise DigitnetError(
            f"--dtype {args.dtype} disagrees with {args.init} ({model.dtype}); leave --dtype out"
        )


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Print test loss, accuracy and per-class accuracy (or JSON)."""
    from .datasets import load_test_set
    from .metrics import per_class_accuracy
    from .serialization import load_model

    model = load_model(args.model)
    X, y = load_test_set(args.data)
    if X.shape[1] != model.layer_sizes[0]:
        raise DigitnetError(
            f"{args.model} takes {model.layer_sizes[0]} inputs, the data has "
            f"{X.shape[1]} pixels per image"
        )
    result = model.evaluate(X, y)
    per_class = per_class_accuracy(model.predict(X), y, model.layer_sizes[-1])
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


def cmd_gradcheck(args: argparse.Namespace) -> int:
    """Compare all analytical gradients with finite differences, for each activation."""
    from .gradcheck import TOLERANCE, check_all_activations

    results = check_all_activations(seed=args.seed)
    worst = 0.0
    print(
        f"largest relative error per tensor (float64, central differences; must be "
        f"< {TOLERANCE:g})"
    )
    for activation, errors in results.items():
        cells = "  ".join(f"{name} {error:.1e}" for name, error in errors.items())
        print(f"  {activation:<10}  {cells}")
        worst = max(worst, *errors.values())
    ok = worst < TOLERANCE
    print(f"{'OK' if ok else 'FAILED'}: largest error {worst:.1e}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Run the digitnet command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except DivergenceError as error:
        if args.debug:
            raise
        print(f"digitnet: {error}", file=sys.stderr)
        return EXIT_DIVERGED
    except DigitnetError as error:
        if args.debug:
            raise
        print(f"digitnet: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("digitnet: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
