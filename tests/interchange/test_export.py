"""Export (digitnet.interchange, `digitnet export`): the ONNX graph passes onnx.checker and gives
digitnet's probabilities under onnx's own reference evaluator (and onnxruntime where installed)
for an MLP, a CNN with every layer type and a model with batch norm; the safetensors file holds
a torch.nn.Sequential's state_dict, layer for layer (and PyTorch, where installed, gives
digitnet's logits); bad input gets one line and writes nothing."""

import json

import numpy as np
import pytest

import digitnet as dn
from digitnet.app.cli import main
from digitnet.errors import DigitnetError
from digitnet.interchange import export
from digitnet.interchange.onnx_export import OPSET, onnx_model
from digitnet.interchange.torch_export import state_dict, torch_sequential

onnx = pytest.importorskip("onnx")  # in the test extra: CI has it
from onnx.reference import ReferenceEvaluator  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402


def every_layer_cnn() -> dn.Sequential:
    """A CNN with each layer digitnet has, its batch norms' running statistics not the start's."""
    model = dn.Sequential(
        [
            dn.Conv2D(1, 6, 3, stride=1, padding=1), dn.BatchNorm(6), dn.LeakyReLU(0.1),
            dn.MaxPool2D(2), dn.Conv2D(6, 8, 3, stride=2, padding=1), dn.Tanh(),
            dn.MaxPool2D(3, stride=1), dn.Dropout(0.3), dn.Conv2D(8, 12, 3), dn.Sigmoid(),
            dn.GlobalAvgPool(), dn.Dense(12, 16), dn.BatchNorm(16), dn.ReLU(), dn.Dense(16, 10),
        ],
        input_shape=(1, 28, 28),
        seed=3,
    )  # fmt: skip
    rng = np.random.default_rng(0)
    for layer in model.layers:
        if isinstance(layer, dn.BatchNorm):
            layer.state["running_mean"][:] = rng.normal(0, 0.5, layer.num_features)
            layer.state["running_var"][:] = rng.uniform(0.5, 2, layer.num_features)
            layer.params["gamma"][:] = rng.uniform(0.5, 1.5, layer.num_features)
    return model


def batch_norm_mlp() -> dn.Sequential:
    model = dn.Sequential(
        [dn.Dense(784, 32), dn.BatchNorm(32), dn.ReLU(), dn.Dropout(0.5), dn.Dense(32, 10)],
        input_shape=(784,),
        seed=1,
    )
    model.layers[1].state["running_var"][:] = 3.0
    return model


@pytest.fixture(scope="module")
def models(mnist_model):
    return {
        "mlp": dn.load_model(mnist_model),
        "every layer": every_layer_cnn(),
        "batch norm": batch_norm_mlp(),
    }


@pytest.fixture(scope="module")
def images():
    _, (X_test, _) = dn.load_mnist()
    return X_test[:300]


@pytest.mark.parametrize("name", ["mlp", "every layer", "batch norm"])
def test_the_onnx_graph_gives_digitnets_probabilities(models, images, name, tmp_path):
    model = models[name]
    path = tmp_path / "model.onnx"
    assert export(model, path) == "onnx"
    graph = onnx.load(path)
    onnx.checker.check_model(graph, full_check=True)
    assert [o.version for o in graph.opset_import] == [OPSET]
    pixels = images.reshape(len(images), *model.input_shape)
    logits, probabilities = ReferenceEvaluator(graph).run(None, {"pixels": pixels})
    ours = model.predict_proba(images)
    assert np.abs(probabilities - ours).max() < 1e-5
    assert (probabilities.argmax(axis=1) == ours.argmax(axis=1)).all()
    assert np.allclose(logits, model.predict_logits(images), rtol=1e-5, atol=1e-5)


def test_the_graph_names_its_input_and_outputs_and_says_what_it_is(models):
    graph = onnx_model(models["every layer"])
    (given,) = graph.graph.input
    dims = given.type.tensor_type.shape.dim
    assert given.name == "pixels" and dims[0].dim_param == "N"
    assert [d.dim_value for d in dims[1:]] == [1, 28, 28]
    assert [o.name for o in graph.graph.output] == ["logits", "probabilities"]
    ops = [node.op_type for node in graph.graph.node]
    assert "Dropout" not in ops and ops[-1] == "Softmax"
    for op in ("Conv", "BatchNormalization", "LeakyRelu", "MaxPool", "Tanh", "Sigmoid",
               "GlobalAveragePool", "Flatten", "Gemm", "Relu"):  # fmt: skip
        assert op in ops, op
    props = {p.key: p.value for p in graph.metadata_props}
    assert props["digitnet_version"] == dn.__version__
    assert json.loads(props["classes"]) == [str(d) for d in range(10)]
    assert "[0, 1]" in props["input"] and props["layers"].startswith("conv 6 3 pad 1")
    mlp = onnx_model(models["mlp"]).graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in mlp] == ["N", 784]


def test_onnxruntime_gives_digitnets_probabilities(models, images, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    for name, model in models.items():
        path = tmp_path / f"{name}.onnx"
        export(model, path)
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        pixels = images.reshape(len(images), *model.input_shape)
        _, probabilities = session.run(None, {"pixels": pixels})
        assert np.abs(probabilities - model.predict_proba(images)).max() < 1e-5, name


def test_safetensors_holds_the_state_dict_of_the_matching_sequential(models, tmp_path):
    model = models["every layer"]
    path = tmp_path / "model.safetensors"
    assert export(model, path) == "safetensors"
    tensors = load_file(path)
    assert tensors.keys() == state_dict(model).keys()
    assert set(tensors) == {
        "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
        "1.num_batches_tracked", "4.weight", "4.bias", "8.weight", "8.bias", "11.weight",
        "11.bias", "12.weight", "12.bias", "12.running_mean", "12.running_var",
        "12.num_batches_tracked", "14.weight", "14.bias",
    }  # fmt: skip
    assert np.array_equal(tensors["11.weight"], model.layers[11].params["W"].T)  # (out, in)
    assert np.array_equal(tensors["0.weight"], model.layers[0].params["W"])
    assert np.array_equal(tensors["1.running_var"], model.layers[1].state["running_var"])
    assert tensors["1.num_batches_tracked"].dtype == np.int64
    code = torch_sequential(model)
    assert code.startswith("nn.Sequential(nn.Conv2d(1, 6, kernel_size=3, stride=1, padding=1)")
    assert "nn.BatchNorm2d(6" in code and "nn.BatchNorm1d(16" in code
    assert "nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())" in code


def test_pytorch_loads_the_safetensors_file_and_gives_digitnets_logits(models, images, tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file as load_torch

    nn = torch.nn
    for name, model in models.items():
        path = tmp_path / f"{name}.safetensors"
        export(model, path)
        net = eval(torch_sequential(model), {"nn": nn})  # the code `digitnet export` prints
        net.load_state_dict(load_torch(str(path)))
        net.eval()
        pixels = torch.from_numpy(images.reshape(len(images), *model.input_shape))
        with torch.no_grad():
            logits = net(pixels).numpy()
        assert np.allclose(logits, model.predict_logits(images), rtol=1e-5, atol=1e-4), name


def test_the_command_writes_the_file_and_prints_the_pytorch_lines(mnist_model, tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    assert main(["export", str(mnist_model), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "net = nn.Sequential(nn.Linear(784, 128), nn.ReLU()" in printed
    assert f"net.load_state_dict(load_file({str(out)!r}))" in printed
    assert load_file(out)["0.weight"].shape == (128, 784)
    other = tmp_path / "m.graph"
    assert main(["export", str(mnist_model), "--out", str(other), "--format", "onnx"]) == 0
    assert "opset" in capsys.readouterr().out
    onnx.checker.check_model(onnx.load(other))


def test_bad_requests_get_one_line_and_write_nothing(mnist_model, tmp_path, capsys):
    kept = tmp_path / "kept.onnx"
    kept.write_bytes(b"before")
    for argv in (
        ["export", str(mnist_model), "--out", str(tmp_path / "m.bin")],  # no format
        ["export", str(tmp_path / "missing.npz"), "--out", str(kept)],
        ["export", str(mnist_model), "--out", str(tmp_path / "no" / "m.onnx")],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("digitnet: error:") and len(err.strip().splitlines()) == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.onnx"]
    assert kept.read_bytes() == b"before"


def test_a_layer_without_a_form_elsewhere_is_named_and_nothing_is_written(tmp_path):
    class Square(dn.ReLU):  # a learner's layer: digitnet does not know what it computes
        def to_onnx(self, graph, x, input_shape):
            return dn.Layer.to_onnx(self, graph, x, input_shape)

    model = dn.Sequential([dn.Dense(784, 10), Square(), dn.Dense(10, 10)], input_shape=(784,))
    with pytest.raises(DigitnetError, match="Square: digitnet has no ONNX form"):
        export(model, tmp_path / "m.onnx")
    assert not list(tmp_path.iterdir())


def test_without_the_optional_packages_a_line_says_what_to_install(models, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(DigitnetError, match=r"pip install 'digitnet\[interchange\]'"):
        export(models["mlp"], tmp_path / "m.onnx")
    assert not list(tmp_path.iterdir())


def test_every_registered_layer_says_how_it_is_written_elsewhere():
    from digitnet.nn.layer import Layer
    from digitnet.nn.layers import LAYER_TYPES

    for name, cls in LAYER_TYPES.items():
        assert cls.to_onnx is not Layer.to_onnx, f"{name}: no to_onnx"
        assert cls.torch_module is not Layer.torch_module, f"{name}: no torch_module"
        if name in ("dense", "conv2d", "batchnorm"):  # the layers with tensors
            assert cls.torch_state is not Layer.torch_state, f"{name}: no torch_state"
