"""`digitnet summary [MODEL | --layers SPEC]`: the network as a table, a row per layer (its
output shape, parameters, multiply-adds per image, output memory per batch) and the totals."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ...training.settings import DEFAULTS
from . import arguments
from .exit_codes import OK

if TYPE_CHECKING:
    from ...nn.network import Network


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet summary`."""
    summary = commands.add_parser(
        "summary", help="the layers as a table: shapes, parameters, multiply-adds, memory"
    )
    summary.add_argument(
        "model", metavar="MODEL", nargs="?", help="a saved model (default: the default MLP)"
    )
    summary.add_argument(
        "--layers", metavar="SPEC", help="a new network of these layers, for MNIST's images"
    )
    summary.add_argument(
        "--batch-size",
        type=arguments.positive_int,
        default=DEFAULTS["batch_size"],
        help=f"images per batch, for the memory of the outputs ({DEFAULTS['batch_size']})",
    )
    summary.set_defaults(handler=run_summary)


def run_summary(args: argparse.Namespace) -> int:
    """Print the table of the model, of the network --layers builds, or of the default MLP."""
    from ...errors import DigitnetError
    from ...model import load_model
    from ...nn.summary import summary_table
    from ...training.settings import RunSettings
    from ..networks import fresh_model

    if args.model is not None and args.layers is not None:
        raise DigitnetError("give MODEL or --layers, not both")
    model: Network
    if args.model is not None:
        model = load_model(args.model)
    else:  # a new network for MNIST's 28x28 images, as `digitnet train` would build it
        model = fresh_model(RunSettings(layers=args.layers), 28 * 28)
    print(summary_table(model, args.batch_size))
    return OK
