"""A digitnet model in the formats other tools read: ONNX (a graph any ONNX runtime runs,
Netron draws) and safetensors (the tensors of a matching torch.nn.Sequential); and an ONNX model
made elsewhere read back as a digitnet model (onnx_import.py).

Each layer says how it is written (Layer.to_onnx, Layer.torch_module, Layer.torch_state, in the
layer's own file); this package puts those together. The `onnx` and `safetensors` packages are
optional: `pip install 'digitnet[interchange]'`.
"""

from .export import FORMATS, export
from .onnx_import import import_onnx

__all__ = ["FORMATS", "export", "import_onnx"]
