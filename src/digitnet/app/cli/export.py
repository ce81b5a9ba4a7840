"""`digitnet export MODEL --out FILE [--format onnx|safetensors]`: the model in a format other
tools read (digitnet.interchange): an ONNX graph, or a torch.nn.Sequential's tensors."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...interchange import FORMATS
from . import arguments
from .exit_codes import OK


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet export`."""
    export = commands.add_parser(
        "export", help="write a model as ONNX or as safetensors for PyTorch"
    )
    export.add_argument("model", metavar="MODEL", help="the digitnet model file (.npz)")
    export.add_argument(
        "--out", metavar="FILE", required=True, help="the file to write (.onnx, .safetensors)"
    )
    export.add_argument(
        "--format", choices=FORMATS, help="onnx or safetensors (default: from --out's suffix)"
    )
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Write the model; for safetensors, print the torch.nn.Sequential its tensors fit."""
    from ...interchange import export
    from ...interchange.onnx_export import OPSET
    from ...interchange.torch_export import torch_sequential
    from ...model import load_model

    out = Path(args.out)
    arguments.check_writable_file(out, "--out")
    model = load_model(args.model)
    written = export(model, out, args.format)
    if written == "onnx":
        print(f"wrote {out} (ONNX, opset {OPSET}; input 'pixels', outputs 'logits', "
              "'probabilities')")  # fmt: skip
        return OK
    print(f"wrote {out} (safetensors); in PyTorch:")
    print("    import torch.nn as nn")
    print("    from safetensors.torch import load_file")
    print(f"    net = {torch_sequential(model)}")
    print(f"    net.load_state_dict(load_file({str(out)!r}))")
    return OK
