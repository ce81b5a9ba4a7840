"""Import (digitnet.interchange.onnx_import, `digitnet import`): an exported model reads back
with the same probabilities; a graph as PyTorch's exporter writes it (shape arithmetic around
the flatten, Constant, Identity, MatMul + Add, LogSoftmax) gives what onnx's reference evaluator
gives, with the input normalisation folded in; an operation digitnet does not have, and bad
files (not ONNX, truncated, too big, data stored elsewhere) get one line and nothing is written."""

import numpy as np
import pytest

import digitnet as dn
from digitnet.app.cli import main
from digitnet.errors import DigitnetError
from digitnet.interchange import export, onnx_import
from digitnet.interchange.onnx_import import import_onnx

onnx = pytest.importorskip("onnx")  # in the test extra: CI has it
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402
from test_export import every_layer_cnn  # noqa: E402

MEAN, STD = 0.1307, 0.3081


@pytest.fixture(scope="module")
def images():
    _, (X_test, _) = dn.load_mnist()
    return X_test[:200]


def onnx_model(nodes, inputs, outputs, weights) -> "onnx.ModelProto":
    """An opset-17 model of `nodes`: inputs and outputs as {name: dims}, weights as
    {name: array}."""
    value = lambda name, dims: helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)  # noqa: E731
    graph = helper.make_graph(
        nodes, "g", [value(n, d) for n, d in inputs.items()],
        [value(n, d) for n, d in outputs.items()],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in weights.items()],
    )  # fmt: skip
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def test_an_exported_model_reads_back_with_the_same_probabilities(images, tmp_path):
    model = every_layer_cnn()
    export(model, tmp_path / "m.onnx")
    back = import_onnx(tmp_path / "m.onnx")
    kinds = [type(layer).__name__ for layer in model.layers if not isinstance(layer, dn.Dropout)]
    assert [type(layer).__name__ for layer in back.layers] == kinds  # dropout: nothing at rest
    assert np.abs(back.predict_proba(images) - model.predict_proba(images)).max() < 1e-6


def pytorch_like_graph(rng) -> "onnx.ModelProto":
    """conv 4 3, relu, maxpool 2, flatten (x.view(x.size(0), -1) as the TorchScript exporter
    writes it), linear 10 (Gemm, weight (out, in)), relu, identity, linear (MatMul + Add), log
    softmax; trained, it would have read (pixels - MEAN) / STD."""
    w = lambda *shape: rng.normal(0, 0.3, shape).astype(np.float32)  # noqa: E731
    weights = {"conv.weight": w(4, 1, 3, 3), "conv.bias": w(4), "fc1.weight": w(10, 4 * 13 * 13),
               "fc1.bias": w(10), "fc2.weight": w(10, 10), "fc2.bias": w(10)}  # fmt: skip
    const = lambda name, value: helper.make_node(  # noqa: E731
        "Constant", [], [name], value=numpy_helper.from_array(np.array(value, np.int64))
    )
    nodes = [
        helper.make_node(
            "Conv", ["input", "conv.weight", "conv.bias"], ["c"], kernel_shape=[3, 3]
        ),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Shape", ["p"], ["s"]),
        const("zero", 0),
        helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
        const("axes", [0]),
        helper.make_node("Unsqueeze", ["n", "axes"], ["n1"]),
        const("minus_one", [-1]),
        helper.make_node("Concat", ["n1", "minus_one"], ["target"], axis=0),
        helper.make_node("Reshape", ["p", "target"], ["flat"]),
        helper.make_node("Gemm", ["flat", "fc1.weight", "fc1.bias"], ["g"], transB=1),
        helper.make_node("Relu", ["g"], ["h"]),
        helper.make_node("Identity", ["h"], ["h2"]),
        helper.make_node("Transpose", ["fc2.weight"], ["fc2.t"], perm=[1, 0]),
        helper.make_node("MatMul", ["h2", "fc2.t"], ["m"]),
        helper.make_node("Add", ["m", "fc2.bias"], ["logits"]),
        helper.make_node("LogSoftmax", ["logits"], ["scores"], axis=1),
    ]
    return onnx_model(nodes, {"input": ["N", 1, 28, 28]}, {"scores": ["N", 10]}, weights)


def test_a_graph_as_pytorch_writes_it_reads_as_the_reference_evaluator_runs_it(images, tmp_path):
    graph = pytorch_like_graph(np.random.default_rng(0))
    # The Transpose of a weight is computed, not stored: digitnet asks for stored weights.
    path = tmp_path / "torch.onnx"
    onnx.save(graph, path)
    with pytest.raises(DigitnetError, match="MatMul operation takes a computed input 1"):
        import_onnx(path)
    for node in list(graph.graph.node):  # as the exporter stores it: the weight pre-transposed
        if node.op_type == "Transpose":
            graph.graph.node.remove(node)
    for tensor in graph.graph.initializer:
        if tensor.name == "fc2.weight":
            tensor.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor).T, "fc2.t"))
    onnx.checker.check_model(graph)
    onnx.save(graph, path)
    model = import_onnx(path, MEAN, STD)
    names = [type(layer).__name__ for layer in model.layers]
    assert names == ["Conv2D", "ReLU", "MaxPool2D", "Flatten", "Dense", "ReLU", "Dense"]
    normalised = (images.reshape(-1, 1, 28, 28) - MEAN) / STD
    (scores,) = ReferenceEvaluator(graph).run(None, {"input": normalised.astype(np.float32)})
    assert np.abs(model.predict_proba(images) - np.exp(scores)).max() < 1e-5


def test_a_normalisation_folds_into_a_first_dense_layer(images, tmp_path):
    mlp = dn.MLP([784, 16, 10], seed=2)
    export(mlp, tmp_path / "m.onnx")
    folded = import_onnx(tmp_path / "m.onnx", MEAN, STD)
    assert np.allclose(folded.predict_logits(images), mlp.predict_logits((images - MEAN) / STD),
                       atol=1e-4)  # fmt: skip


def test_the_command_writes_a_model_that_digitnet_reads(tmp_path, capsys, images):
    model = every_layer_cnn()
    export(model, tmp_path / "m.onnx")
    out = tmp_path / "back.npz"
    assert main(["import", str(tmp_path / "m.onnx"), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}: 1 x 28 x 28 -> conv 6 3 pad 1")
    back = dn.load_model(out)
    assert np.abs(back.predict_proba(images) - model.predict_proba(images)).max() < 1e-6


def other_op_graph() -> "onnx.ModelProto":
    nodes = [
        helper.make_node("AveragePool", ["x"], ["a"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["a"], ["f"]),
        helper.make_node("Gemm", ["f", "w"], ["y"], transB=1),
    ]
    weights = {"w": np.ones((10, 196), np.float32)}
    return onnx_model(nodes, {"x": ["N", 1, 28, 28]}, {"y": ["N", 10]}, weights)


def test_bad_files_get_one_line_and_nothing_is_written(tmp_path, capsys, monkeypatch):
    good = tmp_path / "good.onnx"
    export(dn.MLP([784, 8, 10]), good)
    onnx.save(other_op_graph(), tmp_path / "avgpool.onnx")
    (tmp_path / "noise.onnx").write_bytes(np.random.default_rng(0).bytes(3000))
    (tmp_path / "cut.onnx").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    outside = onnx.load(good)
    tensor = outside.graph.initializer[0]
    tensor.data_location = TensorProto.EXTERNAL
    tensor.external_data.add(key="location", value="../../etc/passwd")
    (tmp_path / "outside.onnx").write_bytes(outside.SerializeToString())  # as a stranger would
    cases = {
        "avgpool.onnx": "the AveragePool operation is not an operation digitnet has",
        "noise.onnx": "not an ONNX model",
        "cut.onnx": "not an ONNX model",
        "outside.onnx": "is stored in another file",
        "missing.onnx": "file not found",
    }
    for name, message in cases.items():
        assert main(["import", str(tmp_path / name), "--out", str(tmp_path / "m.npz")]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, (name, err)
    monkeypatch.setattr(onnx_import, "MAX_BYTES", 1000)
    assert main(["import", str(good), "--out", str(tmp_path / "m.npz")]) == 2
    assert "more than an ONNX model may have" in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


def mlp_graph(nodes, outputs=("y",), extra=None, output_dims=("N", "D")):
    """A graph of `nodes` on input x (N, 784) with weights W1 (784, 32), W2 (32, 10), b2 (10,)
    and the `extra` ones ({name: array})."""
    rng = np.random.default_rng(4)
    weights = {"W1": rng.normal(0, 0.1, (784, 32)).astype(np.float32),
               "W2": rng.normal(0, 0.1, (32, 10)).astype(np.float32),
               "b2": np.zeros(10, np.float32), **(extra or {})}  # fmt: skip
    return onnx_model(nodes, {"x": ["N", 784]}, dict.fromkeys(outputs, output_dims), weights)


node = helper.make_node
REFUSED = {
    "an output in the middle": (
        [
            node("MatMul", ["x", "W1"], ["h"]),
            node("Relu", ["h"], ["y"]),
            node("MatMul", ["y", "W2"], ["unused"]),
        ],  # fmt: skip
        "are not the end of one chain",
    ),
    "a side branch first": (
        [
            node("MatMul", ["x", "W1"], ["h"]),
            node("Sigmoid", ["h"], ["dead"]),
            node("Relu", ["h"], ["r"]),
            node("MatMul", ["r", "W2"], ["y"]),
        ],  # fmt: skip
        "branches or joins the chain",
    ),
    "a cast of the data": (
        [
            node("MatMul", ["x", "W1"], ["h"]),
            node("Cast", ["h"], ["c"], to=1),
            node("MatMul", ["c", "W2"], ["y"]),
        ],  # fmt: skip
        "the Cast operation is not an operation digitnet has",
    ),
    "an unsqueeze of the data": (
        [
            node("MatMul", ["x", "W1"], ["h"]),
            node("Unsqueeze", ["h", "axes"], ["u"]),
            node("MatMul", ["u", "W2"], ["y"]),
        ],  # fmt: skip
        "works on the data itself",
    ),
    "an add that is no bias": (
        [
            node("Add", ["x", "x"], ["d"]),
            node("MatMul", ["d", "W1"], ["h"]),
            node("MatMul", ["h", "W2"], ["y"]),
        ],  # fmt: skip
        "branches or joins the chain",
    ),
    "dropout in training mode": (
        [
            node("MatMul", ["x", "W1"], ["h"]),
            node("Dropout", ["h", "", "yes"], ["d"]),
            node("MatMul", ["d", "W2"], ["y"]),
        ],  # fmt: skip
        "may be in training mode",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_graph_that_is_not_one_chain_of_known_operations_is_refused(case, tmp_path):
    nodes, message = REFUSED[case]
    extra = {"axes": np.array([1], np.int64), "yes": np.array(True)}
    outputs = ("y", "dead") if case == "a side branch first" else ("y",)
    dims = ("N", 1, 10) if case == "an unsqueeze of the data" else ("N", "D")
    path = tmp_path / "g.onnx"
    path.write_bytes(mlp_graph(nodes, outputs, extra, dims).SerializeToString())
    with pytest.raises(DigitnetError, match=message):
        import_onnx(path)


def test_a_reshape_to_anything_but_a_flatten_is_refused(tmp_path):
    extra = {"target": np.array([-1, 16], np.int64), "W16": np.ones((16, 10), np.float32)}
    nodes = [node("Reshape", ["x", "target"], ["r"]), node("MatMul", ["r", "W16"], ["y"])]
    path = tmp_path / "g.onnx"
    path.write_bytes(mlp_graph(nodes, extra=extra).SerializeToString())
    with pytest.raises(DigitnetError, match=r"reshapes to \[-1, 16\], not to \(N, -1\)"):
        import_onnx(path)


def test_max_pooling_takes_onnx_default_stride_of_one(images, tmp_path):
    rng = np.random.default_rng(5)
    weights = {"k": rng.normal(0, 0.3, (4, 1, 3, 3)).astype(np.float32),
               "W": rng.normal(0, 0.1, (4 * 25 * 25, 10)).astype(np.float32)}  # fmt: skip
    nodes = [node("Conv", ["x", "k"], ["c"], kernel_shape=[3, 3]),
             node("MaxPool", ["c"], ["p"], kernel_shape=[2, 2]),  # strides: 1 by default
             node("Flatten", ["p"], ["f"]), node("MatMul", ["f", "W"], ["y"])]  # fmt: skip
    model = onnx_model(nodes, {"x": ["N", 1, 28, 28]}, {"y": ["N", 10]}, weights)
    path = tmp_path / "g.onnx"
    onnx.save(model, path)
    imported = import_onnx(path)
    assert imported.layers[1].stride == 1
    (y,) = ReferenceEvaluator(model).run(None, {"x": images.reshape(-1, 1, 28, 28)})
    assert np.abs(imported.predict_logits(images) - y).max() < 1e-4


def test_a_constant_stored_in_another_file_is_refused_before_it_is_read(tmp_path):
    (tmp_path / "secret.bin").write_bytes(np.ones(32, np.float32).tobytes())
    value = numpy_helper.from_array(np.ones(32, np.float32), "t")
    value.ClearField("raw_data")
    value.data_location = TensorProto.EXTERNAL
    value.external_data.add(key="location", value="secret.bin")
    nodes = [node("Constant", [], ["b1"], value=value), node("MatMul", ["x", "W1"], ["m"]),
             node("Add", ["m", "b1"], ["h"]), node("MatMul", ["h", "W2"], ["y"])]  # fmt: skip
    path = tmp_path / "g.onnx"
    path.write_bytes(mlp_graph(nodes).SerializeToString())
    with pytest.raises(DigitnetError, match="'t' is stored in another file"):
        import_onnx(path)


def test_batch_norm_keeps_its_momentum_and_a_fold_passes_a_leading_flatten(images, tmp_path):
    model = dn.Sequential(
        [dn.Flatten(), dn.Dense(784, 16), dn.BatchNorm(16, momentum=0.05), dn.Dense(16, 10)],
        input_shape=(1, 28, 28),
    )
    export(model, tmp_path / "m.onnx")
    back = import_onnx(tmp_path / "m.onnx", MEAN, STD)
    assert back.layers[2].momentum == 0.05 and back.layers[2].eps == 1e-5
    normalised = ((images - MEAN) / STD).astype(np.float32)
    assert np.allclose(back.predict_logits(images), model.predict_logits(normalised), atol=1e-4)


def test_a_normalisation_that_is_not_a_number_is_refused(tmp_path, capsys):
    export(dn.MLP([784, 8, 10]), tmp_path / "m.onnx")
    argv = ["import", str(tmp_path / "m.onnx"), "--out", str(tmp_path / "m.npz"), "--mean", "nan"]
    with pytest.raises(SystemExit) as exit:  # argparse's own one line
        main(argv)
    assert exit.value.code == 2
    assert "expected a finite number, got 'nan'" in capsys.readouterr().err
    with pytest.raises(DigitnetError, match="finite mean and std > 0"):
        import_onnx(tmp_path / "m.onnx", 0.0, float("inf"))
    assert not (tmp_path / "m.npz").exists()
