"""The CNN benchmark's pieces on tiny sizes: the FLOP count worked out by hand, PyTorch's copy of
the network computing the same logits and gradients, the profile's table adding up to its total
and timing the real training, and compare.py's --cnn-only section reporting."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import digitnet as dn
from digitnet.nn.work import matrix_products

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def benchmarks_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))


@pytest.fixture(scope="module")
def mnist():
    (X, y), _ = dn.load_mnist(dtype="uint8")
    return X[:256], y[:256]


def tiny_net():
    """conv 3x3 1 -> 2 pad 1 on 4x4 images, ReLU, flatten, dense 32 -> 3."""
    layers = [dn.Conv2D(1, 2, 3, padding=1), dn.ReLU(), dn.Flatten(), dn.Dense(32, 3)]
    return dn.Sequential(layers, input_shape=(1, 4, 4), seed=0)


def test_products_and_flops_of_a_tiny_network_by_hand(benchmarks_on_path):
    import cnn_bench

    # conv (one input channel: images first): K = 1 * 3 * 3 = 9 rows of patches, L = 4 * 4 = 16
    # positions, one product per image (5); no dcols (the first layer's input is the data).
    # dense: 5 x 32 inputs, 3 outputs.
    assert matrix_products(tiny_net(), batch=5) == [
        ("0 conv W cols_n", 2, 9, 16, False, False, 5),
        ("0 conv g_n cols_n^T", 2, 16, 9, False, True, 5),
        ("3 dense x W", 5, 32, 3, False, False, 1),
        ("3 dense x^T g", 32, 5, 3, True, False, 1),
        ("3 dense g W^T", 5, 3, 32, False, True, 1),
    ]
    two_channels = dn.Sequential(
        [dn.Conv2D(2, 3, 3), dn.ReLU(), dn.Conv2D(3, 2, 1), dn.Flatten(), dn.Dense(8, 3)],
        input_shape=(2, 4, 4),
    )  # batch last: one product for the batch, L = 2 * 2 * 5, the bias as one more row
    assert matrix_products(two_channels, batch=5)[:2] == [
        ("0 conv [W b] [cols; 1]", 3, 19, 20, False, False, 1),
        ("0 conv [cols; 1] g^T", 19, 20, 3, False, True, 1),
    ]
    # per image: conv 2 x (2 * 2 * 9 * 16) = 1152, dense 3 x (2 * 32 * 3) = 576
    assert cnn_bench.flops_per_epoch(tiny_net(), n=10) == 10 * (1152 + 576)


def test_lenet_flops_by_hand(benchmarks_on_path):
    import cnn_bench

    conv1 = 2 * (2 * 16 * 25 * 28 * 28)  # forward and dW; no dcols
    conv2 = 3 * (2 * 32 * 400 * 14 * 14)  # forward, dW, dcols
    dense = 3 * (2 * 1568 * 128) + 3 * (2 * 128 * 10)
    assert conv1 + conv2 + dense == 17_519_104
    assert cnn_bench.flops_per_epoch(cnn_bench.lenet(), n=60000) == 60000 * 17_519_104


def test_products_have_the_layers_shapes(benchmarks_on_path):
    import cnn_bench

    model = tiny_net()
    x = np.random.default_rng(0).random((5, 1, 4, 4), dtype=np.float32)
    model.forward(x, training=True)
    conv, dense = model.layers[0], model.layers[3]
    first = matrix_products(model, batch=5)[0]
    assert conv._cols.shape == (first.stack, first.k, first.n)
    assert dense.params["W"].shape == (32, 3)
    assert cnn_bench.gemms_seconds(model, batch=5, n=10, repeats=1) > 0  # smoke check


def test_pytorch_copy_computes_the_same_logits_and_gradients(benchmarks_on_path, mnist):
    torch = pytest.importorskip("torch")
    import cnn_bench

    model = cnn_bench.lenet(seed=3)
    net = cnn_bench.torch_copy(model)
    X8, labels = mnist[0][:8], mnist[1][:8]
    x = (X8 / np.float32(255)).astype(np.float32).reshape(8, 1, 28, 28)

    logits = model.forward(x, training=True)
    model.loss.forward(logits, labels)
    model.backward(model.loss.backward())
    theirs = net(torch.from_numpy(x))
    torch.nn.functional.cross_entropy(theirs, torch.from_numpy(labels)).backward()

    np.testing.assert_allclose(logits, theirs.detach().numpy(), rtol=1e-4, atol=1e-5)
    grads = model.gradients()
    twins = [(i, layer) for i, layer in enumerate(net) if hasattr(layer, "weight")]
    assert [i for i, _ in twins] == [0, 3, 7, 9]
    for i, twin in twins:
        W = twin.weight.grad.numpy()
        W = W.T if isinstance(twin, torch.nn.Linear) else W  # Linear stores W transposed
        np.testing.assert_allclose(grads[f"{i}.W"], W, rtol=1e-3, atol=1e-6)
        np.testing.assert_allclose(grads[f"{i}.b"], twin.bias.grad.numpy(), rtol=1e-3, atol=1e-6)


def test_profile_table_adds_up_to_its_total(benchmarks_on_path, mnist):
    import cnn_profile

    summary, _, _ = cnn_profile.profile(*mnist, batches=2, batch_size=16)
    rows = summary["rows"]
    assert [row["part"] for row in rows][:2] == [
        "data: batching, uint8 -> float32",
        "conv: im2col",
    ]
    total = summary["total_seconds_per_epoch"]
    assert total > 0
    assert sum(row["seconds_per_epoch"] for row in rows) == pytest.approx(total, rel=1e-9)
    assert sum(row["percent"] for row in rows) == pytest.approx(100)
    assert not negative_rows(rows)  # nothing counted twice: each part is out of its layer's time
    for row in rows:
        assert row["forward"] + row["backward"] + row["other"] == row["seconds_per_epoch"]
    by_part = {row["part"]: row for row in rows}
    assert by_part["conv: col2im"]["forward"] == 0 < by_part["conv: col2im"]["backward"]
    assert by_part["conv: im2col"]["forward"] > 0 and by_part["optimizer (Adam step)"]["other"] > 0
    table = cnn_profile.markdown_table(summary).splitlines()
    assert len(table) == 2 + len(rows) + 1 and table[-1].endswith("| 100.0% |")


def negative_rows(rows: list[dict]) -> list[str]:
    """The rows whose time is below zero: an inner part counted beyond its layer's own time."""
    return [row["part"] for row in rows if row["seconds_per_epoch"] < 0]


def test_a_part_timed_outside_its_layer_shows_as_a_negative_row(benchmarks_on_path):
    """Control: im2col timed for longer than its conv layer's inclusive time (a part counted
    twice) leaves the conv row negative, which the profile test above would catch."""
    import cnn_profile

    model = tiny_net()
    conv = f"0 {model.layers[0].type_name}"
    right = {(conv, "", "forward"): 1.0, (conv, "im2col", "forward"): 0.4}
    twice = {(conv, "", "forward"): 1.0, (conv, "im2col", "forward"): 1.4}
    assert not negative_rows(cnn_profile.summarize(model, right, 2.0, 1.0)["rows"])
    wrong = negative_rows(cnn_profile.summarize(model, twice, 2.0, 1.0)["rows"])
    assert wrong == ["conv: padding, batch-last copies, bias, db"]


def test_profile_times_the_real_training_and_undoes_its_timers(benchmarks_on_path, mnist):
    import cnn_profile

    from digitnet.nn import conv, dense

    _, timed, _ = cnn_profile.profile(*mnist, batches=2, batch_size=16, seed=1)
    _, plain, _ = cnn_profile.profile(*mnist, batches=2, batch_size=16, seed=1, instrument=False)
    assert np.array_equal(timed.flat_params, plain.flat_params)
    assert conv.np is np and dense.np is np
    assert conv.im2col.__module__ == conv.col2im.__module__ == "digitnet.nn.conv"
    assert not any("forward" in vars(layer) for layer in timed.layers)


@pytest.mark.slow  # a benchmark race
def test_compare_cnn_only_reports(benchmarks_on_path, monkeypatch, tmp_path, capsys):
    import cnn_bench
    import compare

    small = compare.load(128, 100)
    monkeypatch.setattr(compare, "load", lambda limit_train, limit_test: small)
    out = tmp_path / "cnn.json"
    assert compare.main(["--quick", "--cnn-only", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert "training" not in report  # the MLP race was skipped
    cnn = report["cnn"]
    expected = {"digitnet", "PyTorch"} if importlib.util.find_spec("torch") else {"digitnet"}
    assert set(cnn["training"]) == expected
    for result in cnn["training"].values():
        # smoke checks: each competitor was timed and scored
        assert result["median_epoch_seconds"] > 0 and 0 <= result["final_accuracy"] <= 1
    flops = cnn_bench.flops_per_epoch(cnn_bench.lenet(), n=128)
    assert cnn["gflop_per_epoch"] == pytest.approx(flops / 1e9)
    assert cnn["gemm_seconds_per_epoch"] > 0 and cnn["flop_bound_seconds_per_epoch"] > 0
    assert "GEMMs alone" in capsys.readouterr().out
