"""The `digitnet` command line: the argument parser and main(); the handlers are in commands.py.

Exit status: 0 success, 1 a failed check (gradcheck), 2 bad input (one line on stderr; --debug
shows the traceback), 3 training diverged, 130 interrupted (Ctrl-C).
`main(argv)` returns the exit code, so tests call it with a list.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

from ..errors import DigitnetError, DivergenceError
from ..training.settings import DEFAULTS, PRESETS
from .exit_codes import BAD_INPUT, DIVERGED, INTERRUPTED

T = TypeVar("T")  # what an argparse type function returns
# A train flag: (flag, type or choices, help)
_Flag = tuple[str, Callable[[str], object] | list[str] | tuple[str, ...], str]

# What `digitnet --help` says (the module docstring above is for people reading the code).
DESCRIPTION = """\
A neural network written from scratch in NumPy that learns to read handwritten digits.
Train it on MNIST (bundled) or your own IDX/CSV data, evaluate it, read digits from
your own images, plot what it learned, draw digits for it in your browser, and check its
gradients.
Run `digitnet COMMAND --help` for a command's options."""

EPILOG = """\
exit status: 0 success, 1 a failed check (gradcheck), 2 bad input (one line on stderr; --debug
shows the traceback), 3 training diverged, 130 interrupted (Ctrl-C).

examples:
  digitnet train --out model.npz
  digitnet predict model.npz my_digit.png
  digitnet serve model.npz
  digitnet serve                 (train one live in the page)
  digitnet compare "gd lr=0.1" "momentum lr=0.05" "adam" --epochs 10"""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, like every other digitnet error."""

    def error(self, message: str) -> NoReturn:
        self.exit(BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _hidden_sizes(text: str) -> list[int]:
    parts = [part.strip() for part in text.split(",")]
    if "" in parts:
        raise argparse.ArgumentTypeError(f"an empty size in {text!r}; write sizes like 128,64")
    try:
        sizes = [int(part) for part in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--hidden must be integers like 128,64, got {text!r}"
        ) from None
    if min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--hidden sizes must be >= 1, got {text!r}")
    return sizes


def _number(
    convert: Callable[[str], T], description: str, is_valid: Callable[[T], bool]
) -> Callable[[str], T]:
    """An argparse type: `convert` the text, then insist that is_valid(value)."""

    def parse(text: str) -> T:
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
_fraction = _number(float, "a fraction in [0, 1)", lambda v: 0 <= v < 1)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    from .._version import __version__
    from ..data.augment import PRESETS as AUGMENTATIONS
    from ..nn.layers import ACTIVATIONS
    from ..optim import OPTIMIZERS
    from ..optim.schedules import SCHEDULES

    parser = _Parser(
        prog="digitnet",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"digitnet {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = commands.add_parser("train", help="train a network and report its test accuracy")
    d = DEFAULTS
    flags: list[_Flag] = [  # every default below comes from presets.DEFAULTS
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
        (
            "--layers",
            str,
            'any network as text, instead of --hidden: "conv 16 5 pad 2, relu, '
            'maxpool 2, dense 128, relu" (README: the terms)',
        ),
        ("--dtype", ["float32", "float64"], f"floating-point type ({d['dtype']})"),
        ("--weight-decay", _non_negative_float, "L2 weight decay (decoupled for adam) (0)"),
        ("--dropout", _fraction, "dropout rate after each hidden layer (0)"),
        ("--input-dropout", _fraction, "dropout rate on the input pixels (0)"),
        ("--augment", ["none", *AUGMENTATIONS], "random distortions of each batch (none)"),
        ("--validation-split", _fraction, "share of the training set held out to validate (0)"),
        ("--early-stopping", _positive_int, "stop after N epochs without a better val_loss"),
    ]
    for flag, kind, text in flags:
        if isinstance(kind, list | tuple):
            train.add_argument(flag, choices=kind, default=None, help=text)
        else:
            train.add_argument(flag, type=kind, default=None, help=text)
    train.add_argument("--seed", type=int, help="random seed (0)")
    train.add_argument(
        "--data",
        help="folder of MNIST-named IDX files, or a Kaggle-style CSV (default: the bundled MNIST)",
    )
    train.add_argument(
        "--val-fraction",
        type=float,
        help="share held out for validation when the data has no test set (0.1)",
    )
    train.add_argument("--limit", type=_positive_int, help="train on the first N images only")
    train.add_argument("--init", metavar="MODEL", help="start from a saved model's weights")
    train.add_argument(
        "--out",
        metavar="MODEL",
        help="where to save the trained model (model.npz; with --resume: the run's own --out)",
    )
    train.add_argument(
        "--history",
        metavar="FILE.csv",
        help="write per-epoch metrics as CSV (with --resume: the run's own, if it had one)",
    )
    train.add_argument(
        "--plots",
        metavar="DIR",
        help="write the pictures of `plot` at the end (with --resume: the run's own, if any)",
    )
    train.add_argument(
        "--show-augmented",
        metavar="FILE.png",
        help="draw a few training images and random distortions of them",
    )
    train.add_argument(
        "--checkpoint-dir",
        metavar="DIR",
        help="save the whole training state after every epoch, to --resume",
    )
    train.add_argument(
        "--resume",
        metavar="DIR",
        help="continue the run checkpointed in DIR, exactly where it stopped, with its "
        "settings and outputs (--out, --history, --plots) unless you give them again",
    )
    train.add_argument(
        "--quiet",
        action="store_true",
        help="print only the result (and skip the per-epoch test evaluation)",
    )
    train.set_defaults(handler="train")

    evaluate = commands.add_parser("evaluate", help="test loss, accuracy and per-class accuracy")
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument(
        "--data",
        default=None,
        help="IDX folder (its t10k files) or labelled CSV (every row); "
        "default: the bundled MNIST test set",
    )
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    evaluate.set_defaults(handler="evaluate")

    gradcheck = commands.add_parser(
        "gradcheck", help="check every gradient against finite differences"
    )
    gradcheck.add_argument("--seed", type=int, default=0)
    gradcheck.add_argument(
        "--layers", help="check this network (as train --layers) instead, on small images"
    )
    gradcheck.add_argument(
        "--image-size", type=_positive_int, default=12, help="with --layers: image side (12)"
    )
    gradcheck.set_defaults(handler="gradcheck")

    plot = commands.add_parser("plot", help="learning curves, confusion matrix, mistakes, weights")
    plot.add_argument("model", metavar="MODEL")
    plot.add_argument("--history", metavar="FILE.csv", help="from train --history: the curves")
    plot.add_argument("--data", help="IDX folder or labelled CSV to test on (bundled MNIST)")
    plot.add_argument("--out", metavar="DIR", default="plots", help="output folder (plots)")
    plot.set_defaults(handler="plot")

    predict = commands.add_parser(
        "predict", help="read digits from your own images, photos or a Kaggle test.csv"
    )
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument(
        "images",
        metavar="IMAGE",
        nargs="+",
        help="PNG, JPEG, ... any size (a photo of paper too), or a Kaggle CSV of 784 pixel "
        "columns (like test.csv)",
    )
    predict.add_argument("--json", action="store_true", help="print JSON")
    predict.add_argument(
        "--out",
        metavar="FILE.csv",
        help="write Kaggle's submission (ImageId,Label) for the CSV's rows",
    )
    predict.add_argument(
        "--show-input",
        metavar="DIR",
        nargs="?",
        const=".",
        help="save the 28x28 image the network saw, as NAME.seen.png in DIR "
        "(default: the current folder)",
    )
    predict.set_defaults(handler="predict")

    compare = commands.add_parser(
        "compare", help="train several recipes side by side and draw their learning curves"
    )
    compare.add_argument(
        "recipes",
        metavar="RECIPE",
        nargs="+",
        help='an optimizer and settings, e.g. "gd lr=0.1" "momentum lr=0.05 batch=64" "adam" '
        "(keys: lr, batch, momentum, schedule, warmup, decay)",
    )
    compare.add_argument("--epochs", type=_positive_int, default=10, help="epochs of each (10)")
    compare.add_argument("--limit", type=_positive_int, help="training images (all)")
    compare.add_argument("--seed", type=int, default=0, help="initial weights and order (0)")
    compare.add_argument("--layers", help="the network as text (default: the 784-128-64-10 MLP)")
    compare.add_argument("--data", metavar="PATH", help="IDX folder or CSV (bundled MNIST)")
    compare.add_argument("--out", default="compare.png", help="the picture (compare.png)")
    compare.set_defaults(handler="compare")

    serve = commands.add_parser(
        "serve", help="a page in your browser: train live, draw a digit, teach the network"
    )
    serve.add_argument(
        "model", metavar="MODEL", nargs="?", help="start from this model (default: untrained)"
    )
    serve.add_argument(
        "--save-dir",
        metavar="DIR",
        help="folder for the page's saved models and taught.csv (default: the current folder)",
    )
    serve.add_argument(
        "--data", metavar="PATH", help="training data for runs from the page (bundled MNIST)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (8000; 0 picks a free one)")
    serve.set_defaults(handler="serve")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the digitnet command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from . import commands  # the handlers, each importing what it needs only when it runs

    try:
        return getattr(commands, f"cmd_{args.handler}")(args)
    except DivergenceError as error:
        if args.debug:
            raise
        print(f"digitnet: {error}", file=sys.stderr)
        return DIVERGED
    except DigitnetError as error:
        if args.debug:
            raise
        print(f"digitnet: error: {error}", file=sys.stderr)
        return BAD_INPUT
    except OSError as error:  # a file we cannot read or write: say which, in one line
        if args.debug:
            raise
        where = f"{error.filename}: " if error.filename else ""
        print(f"digitnet: error: {where}{error.strerror or error}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        # Files are written atomically, so whatever was saved before (a model, a checkpoint)
        # is intact.
        print("digitnet: interrupted", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
