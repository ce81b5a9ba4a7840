"""The `digitnet` argument parser: one small function per command declares its flags and binds
its handler (in the command's own module), and this module puts them together."""

from __future__ import annotations

import argparse
from typing import NoReturn

from ..._version import __version__
from . import (
    compare,
    doctor,
    evaluate,
    export,
    gradcheck,
    import_onnx,
    learn,
    plot,
    predict,
    serve,
    summary,
    train,
)
from .exit_codes import BAD_INPUT, DESCRIPTION

# What `digitnet --help` says (the package docstring is for people reading the code).
SUMMARY = """\
A neural network written from scratch in NumPy that learns to read handwritten digits.
Train it on MNIST (bundled) or your own IDX/CSV data, evaluate it, read digits from
your own images, plot what it learned, draw digits for it in your browser, and check its
gradients.
Run `digitnet COMMAND --help` for a command's options."""

EPILOG = f"""\
exit status: {DESCRIPTION}

examples:
  digitnet train --out model.npz
  digitnet predict model.npz my_digit.png
  digitnet serve model.npz
  digitnet serve                 (train one live in the page)
  digitnet compare "gd lr=0.1" "momentum lr=0.05" "adam" --epochs 10"""

COMMANDS = (
    train,
    evaluate,
    predict,
    plot,
    summary,
    export,
    import_onnx,
    gradcheck,
    compare,
    serve,
    learn,
    doctor,
)  # in --help's order


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, like every other digitnet error."""

    def error(self, message: str) -> NoReturn:
        """Print `message` as one line and exit with the bad-input status."""
        self.exit(BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand; each sets `handler`, the function to run."""
    parser = Parser(
        prog="digitnet",
        description=SUMMARY,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"digitnet {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser
