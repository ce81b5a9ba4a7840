"""Do the exported files compute what digitnet computes? Each model exported as ONNX and as
safetensors, run on MNIST's 10,000 test images by onnx's reference evaluator, by onnxruntime and
by PyTorch (each where installed), against digitnet's own predict_proba and predict_logits.

    python benchmarks/export_roundtrip.py MODEL [MODEL...]

Prints a Markdown table: per model and runtime the largest difference of the probabilities and
of the logits (float32), and how many of the 10,000 predictions are the same.
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
from pathlib import Path

import numpy as np

import digitnet as dn
from digitnet.interchange import export
from digitnet.interchange.torch_export import torch_sequential


def runtimes(model, folder: Path):
    """(name, logits, probabilities) of each runtime installed, on the test images."""
    _, (X, _) = dn.load_mnist()
    pixels = X.reshape(len(X), *model.input_shape)
    graph = folder / "model.onnx"
    export(model, graph)
    from onnx.reference import ReferenceEvaluator

    logits, probabilities = ReferenceEvaluator(str(graph)).run(None, {"pixels": pixels})
    yield "onnx reference evaluator", logits, probabilities
    if importlib.util.find_spec("onnxruntime"):
        import onnxruntime

        session = onnxruntime.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
        logits, probabilities = session.run(None, {"pixels": pixels})
        yield f"onnxruntime {onnxruntime.__version__}", logits, probabilities
    if importlib.util.find_spec("torch"):
        import torch
        from safetensors.torch import load_file

        tensors = folder / "model.safetensors"
        export(model, tensors)
        net = eval(torch_sequential(model), {"nn": torch.nn})  # the code digitnet export prints
        net.load_state_dict(load_file(str(tensors)))
        net.eval()
        with torch.no_grad():
            logits = net(torch.from_numpy(pixels)).numpy()
        yield f"PyTorch {torch.__version__} (safetensors)", logits, softmax(logits)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row's maximum."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", metavar="MODEL")
    args = parser.parse_args(argv)
    _, (X, _) = dn.load_mnist()
    print("| model | runtime | probabilities: largest difference | logits | same predictions |")
    print("|---|---|---|---|---|")
    for path in args.models:
        model = dn.load_model(path)
        ours_p, ours_l = model.predict_proba(X), model.predict_logits(X)
        with tempfile.TemporaryDirectory() as folder:
            for name, logits, probabilities in runtimes(model, Path(folder)):
                same = int((probabilities.argmax(1) == ours_p.argmax(1)).sum())
                print(
                    f"| {Path(path).name} | {name} | {np.abs(probabilities - ours_p).max():.1e} "
                    f"| {np.abs(logits - ours_l).max():.1e} | {same:,} of {len(X):,} |"
                )


if __name__ == "__main__":
    main()
