"""The optional packages of interchange, imported only when an export needs them."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import DigitnetError


def optional(module: str) -> ModuleType:
    """Import `module` (onnx, safetensors.numpy, ...), or say in one line how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        package = module.split(".")[0]
        raise DigitnetError(
            f"this needs the {package} package: pip install 'digitnet[interchange]'"
        ) from None
