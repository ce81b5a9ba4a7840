"""The `digitnet` command line: the only part of digitnet that reads argparse namespaces or
prints. parser.py puts the parser together from one module per command (train.py, evaluate.py,
predict.py, plot.py, gradcheck.py, compare.py, serve.py, learn.py), each declaring its flags and
its handler; main() runs the handler and turns errors into one line and an exit status
(exit_codes.py). `main(argv)` returns the exit code, so tests call it with a list.
"""

from __future__ import annotations

import os
import sys

from ...errors import DigitnetError, DivergenceError
from .exit_codes import BAD_INPUT, DIVERGED, INTERRUPTED, PIPE_CLOSED
from .parser import build_parser

__all__ = ["main", "build_parser"]


def main(argv: list[str] | None = None) -> int:
    """Run the digitnet command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
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
    except BrokenPipeError:  # `digitnet predict ... | head`: the reader has what it wanted
        _silence_stdout()
        return PIPE_CLOSED
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


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises no second BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (a test's capture): nothing to flush
        pass


if __name__ == "__main__":
    sys.exit(main())
