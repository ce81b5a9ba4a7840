"""A digitnet model file read into PyTorch gives the same logits: the layout that
docs/model-file.md fixes.

Skipped where PyTorch is not installed (CI does not install it; `pip install torch` to run).
"""

import numpy as np
import pytest

import digitnet as dn
from digitnet.nn.spec import build_layers

torch = pytest.importorskip("torch")


def to_torch(model: dn.Sequential):
    """The torch.nn.Sequential with the same layers and weights, read from the model file's
    arrays (names "{i}.{name}") as docs/model-file.md describes them."""
    nn = torch.nn
    modules = []
    for layer in model.layers:
        config = layer.config()
        kind = config["type"]
        p = {k: torch.from_numpy(np.array(v, dtype=np.float64)) for k, v in layer.params.items()}
        state = {
            k: torch.from_numpy(np.array(v, dtype=np.float64)) for k, v in layer.state.items()
        }
        if kind == "conv2d":
            module = nn.Conv2d(
                config["in_channels"], config["out_channels"], config["kernel_size"],
                config["stride"], config["padding"],
            )  # fmt: skip
            module.weight.data, module.bias.data = p["W"], p["b"]
        elif kind == "dense":
            module = nn.Linear(config["in_features"], config["out_features"])
            module.weight.data, module.bias.data = p["W"].T.contiguous(), p["b"]  # transposed
        elif kind == "batchnorm":
            module = nn.BatchNorm1d(config["num_features"], config["eps"], config["momentum"])
            if len(model.output_shapes_before(layer)) == 3:
                module = nn.BatchNorm2d(config["num_features"], config["eps"], config["momentum"])
            module.weight.data, module.bias.data = p["gamma"], p["beta"]
            module.running_mean.data, module.running_var.data = (
                state["running_mean"], state["running_var"],
            )  # fmt: skip
        else:
            module = {
                "relu": nn.ReLU(),
                "tanh": nn.Tanh(),
                "sigmoid": nn.Sigmoid(),
                "leaky_relu": nn.LeakyReLU(config.get("negative_slope", 0.01)),
                "maxpool2d": nn.MaxPool2d(config.get("kernel_size", 2), config.get("stride")),
                "flatten": nn.Flatten(),
                "dropout": nn.Dropout(config.get("rate", 0.0)),
                "global_avgpool": nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()),
            }[kind]
        modules.append(module)
    return nn.Sequential(*modules).double().eval()


@pytest.mark.parametrize(
    "spec",
    [
        "conv 16 5 pad 2, relu, maxpool 2, conv 32 5 pad 2, relu, maxpool 2, dense 128, relu",
        "conv 8 3 stride 2 pad 1, batchnorm, leaky_relu, maxpool 3 stride 2, dropout 0.2, "
        "conv 6 3 pad 1, tanh, dense 20, batchnorm, sigmoid",
        "conv 8 3, relu, global_avgpool, dense 12, relu",
    ],
)
def test_saved_cnn_gives_the_same_logits_in_pytorch(spec, tmp_path):
    (X, y), _ = dn.load_mnist(dtype="uint8")
    model = dn.Sequential(build_layers(spec, (1, 28, 28)), input_shape=(1, 28, 28), seed=0)
    model.fit(X[:512], y[:512], epochs=1, batch_size=64, verbose=0)  # running stats move
    model.save(tmp_path / "m.npz")
    loaded = dn.load_model(tmp_path / "m.npz")

    shapes = {}
    shape = loaded.input_shape
    for layer in loaded.layers:
        shapes[id(layer)] = shape
        shape = layer.output_shape(shape)
    loaded.output_shapes_before = lambda layer: shapes[id(layer)]
    net = to_torch(loaded)
    x = X[:64].reshape(64, 1, 28, 28) / 255.0
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(loaded.predict_logits(x), expected, rtol=1e-4, atol=1e-4)
