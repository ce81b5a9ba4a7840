"""Write a model to a file of another format, atomically (a temporary file, then a rename)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import atomic_write_bytes
from ..errors import DigitnetError

if TYPE_CHECKING:
    from ..nn.network import Network

FORMATS = ("onnx", "safetensors")


def export(model: Network, path: str | Path, format: str | None = None) -> str:
    """Write `model` as ONNX or safetensors (by default, the format of path's suffix); return
    the format written."""
    path = Path(path)
    chosen = format or path.suffix.lstrip(".").lower()
    if chosen not in FORMATS:
        raise DigitnetError(
            f"{path}: give the format (onnx or safetensors), or a file name ending in "
            ".onnx or .safetensors"
        )
    if chosen == "onnx":
        from .onnx_export import onnx_bytes

        data = onnx_bytes(model)
    else:
        from .torch_export import safetensors_bytes

        data = safetensors_bytes(model)
    atomic_write_bytes(path, data)
    return chosen
