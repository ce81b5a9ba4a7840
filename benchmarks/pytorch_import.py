"""Does a network trained in PyTorch read MNIST as well in digitnet? PyTorch's own MNIST example
network (pytorch/examples: conv 32 3, conv 64 3, max-pooling, dropout, dense 128, dense 10, log
softmax), trained on inputs normalised with mean 0.1307 and std 0.3081, exported with
torch.onnx.export (both exporters where they work), imported with `digitnet import --mean 0.1307
--std 0.3081`, and evaluated by digitnet on MNIST's test set, beside PyTorch's own accuracy.

    python benchmarks/pytorch_import.py [--epochs 1] [--out FOLDER]

Needs torch (and onnxscript for the newer exporter); prints the accuracy in both and the
largest difference of the probabilities.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import digitnet as dn
from digitnet.interchange.onnx_import import import_onnx

MEAN, STD = 0.1307, 0.3081


def example_network():
    """pytorch/examples' mnist Net, as an nn.Sequential."""
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 32, 3, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10), nn.LogSoftmax(dim=1),
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="keep the .onnx files here")
    args = parser.parse_args(argv)
    torch.manual_seed(1)
    (X, y), (X_test, y_test) = dn.load_mnist()
    images = torch.from_numpy((X.reshape(-1, 1, 28, 28) - MEAN) / STD)
    labels = torch.from_numpy(y)
    net = example_network()
    optimizer = torch.optim.Adadelta(net.parameters(), lr=1.0)
    start = time.perf_counter()
    for _ in range(args.epochs):
        net.train()
        for batch in torch.randperm(len(X)).split(64):
            optimizer.zero_grad()
            loss = torch.nn.functional.nll_loss(net(images[batch]), labels[batch])
            loss.backward()
            optimizer.step()
    print(f"trained in PyTorch {torch.__version__}: {args.epochs} epoch(s), "
          f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    net.eval()
    test = torch.from_numpy((X_test.reshape(-1, 1, 28, 28) - MEAN) / STD)
    with torch.no_grad():
        theirs = net(test).exp().numpy()
    print(f"PyTorch's test accuracy: {(theirs.argmax(1) == y_test).mean():.2%}")
    folder = args.out or Path(tempfile.mkdtemp())
    for dynamo in (False, True):
        path = folder / f"example_net{'_dynamo' if dynamo else ''}.onnx"
        try:
            inside = {"external_data": False} if dynamo else {}  # weights in the file
            torch.onnx.export(
                net, (test[:1],), str(path), input_names=["pixels"], output_names=["scores"],
                dynamic_axes={"pixels": {0: "N"}, "scores": {0: "N"}}, dynamo=dynamo, **inside,
            )  # fmt: skip
        except Exception as error:  # an exporter this torch does not have, or onnxscript
            print(f"torch.onnx.export(dynamo={dynamo}) failed: {type(error).__name__}: {error}")
            continue
        import onnx

        ops = sorted({node.op_type for node in onnx.load(str(path)).graph.node})
        try:
            model = import_onnx(path, MEAN, STD)
        except dn.DigitnetError as error:
            print(f"dynamo={dynamo}: operations {', '.join(ops)}; digitnet refuses it: {error}")
            continue
        ours = model.predict_proba(X_test)
        print(
            f"dynamo={dynamo}: operations {', '.join(ops)}; in digitnet "
            f"({', '.join(type(layer).__name__ for layer in model.layers)}): test accuracy "
            f"{(ours.argmax(1) == y_test).mean():.2%}, largest difference of the "
            f"probabilities {np.abs(ours - theirs).max():.1e}"
        )


if __name__ == "__main__":
    main()
