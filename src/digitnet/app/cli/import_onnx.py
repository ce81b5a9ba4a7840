"""`digitnet import FILE.onnx --out MODEL.npz [--mean M --std S]`: a model made elsewhere (for
example trained in PyTorch and exported with torch.onnx.export) as a digitnet model file."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import arguments
from .exit_codes import OK


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet import`."""
    command = commands.add_parser("import", help="read an ONNX model into a digitnet model file")
    command.add_argument("onnx", metavar="FILE.onnx", help="the ONNX model to read")
    command.add_argument("--out", metavar="MODEL", required=True, help="the model file to write")
    command.add_argument(
        "--mean",
        type=arguments.finite_float,
        default=0.0,
        help="the input normalisation the model was trained with, (x - mean) / std (0)",
    )
    command.add_argument("--std", type=arguments.positive_float, default=1.0, help="its std (1)")
    command.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    """Read the graph, fold in the normalisation, write the model file, say what it holds."""
    from ...interchange.onnx_import import import_onnx
    from ..networks import describe_network

    out = Path(args.out)
    arguments.check_writable_file(out, "--out")
    model = import_onnx(args.onnx, args.mean, args.std)
    model.save(out)
    folded = (
        f"; (x - {args.mean:g}) / {args.std:g} folded in" if args.mean or args.std != 1 else ""
    )
    print(f"wrote {out}: {describe_network(model)}{folded}")
    return OK
