"""Model files: the version-2 layout, the round trip, version-1 files, and one-line errors."""

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import digitnet as dn
from digitnet.errors import DigitnetError
from digitnet.nn.model_file import model_meta

# Written by digitnet 0.1.0 (format version 1): MLP([784, 16, 8, 10], ["tanh", "relu"], seed=3)
# after one epoch on 5,000 images; that release's `evaluate` on the first 2,000 test images:
V1_FILE = Path(__file__).parent / "data" / "model_v1.npz"
V1_LOSS, V1_ACCURACY = 1.6607920281738042, 0.4415


@pytest.fixture
def saved(tmp_path):
    model = dn.MLP([784, 16, 8, 10], activation=["tanh", "relu"], seed=3)
    path = tmp_path / "model.npz"
    model.save(path)
    return model, path


def rewrite(path, **changes):
    """Rewrite a saved model with some arrays replaced (None removes one)."""
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    for name, value in changes.items():
        if value is None:
            arrays.pop(name)
        else:
            arrays[name] = value
    np.savez(path, **arrays)


def rewrite_meta(path, model, **changes):
    meta = {**model_meta(model.layers, model.input_shape, model.dtype), **changes}
    rewrite(path, meta=np.array(json.dumps(meta)))


def test_round_trip_gives_identical_weights_and_predictions(saved):
    model, path = saved
    loaded = dn.load_model(path)
    assert isinstance(loaded, dn.Sequential)
    assert [layer.config() for layer in loaded.layers] == [c.config() for c in model.layers]
    assert list(loaded.parameters()) == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    for a, b in zip(model.parameters().values(), loaded.parameters().values()):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    X = np.random.default_rng(0).random((5, 784)).astype(np.float32)
    np.testing.assert_array_equal(model.predict_proba(X), loaded.predict_proba(X))


def test_file_layout_is_the_documented_one(saved):
    _, path = saved
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b", "meta"]
        assert archive["0.W"].shape == (784, 16) and archive["4.b"].shape == (10,)
        meta = json.loads(str(archive["meta"]))
    assert meta == {
        "format": "digitnet",
        "version": 2,
        "input_shape": [784],
        "dtype": "float32",
        "output": "softmax",
        "digitnet_version": dn.__version__,
        "layers": [
            {"type": "dense", "in_features": 784, "out_features": 16},
            {"type": "tanh"},
            {"type": "dense", "in_features": 16, "out_features": 8},
            {"type": "relu"},
            {"type": "dense", "in_features": 8, "out_features": 10},
        ],
    }


def test_dropout_and_leaky_relu_are_saved_with_their_settings(tmp_path):
    model = dn.MLP([784, 8, 10], activation="leaky_relu", dropout=0.25, input_dropout=0.1)
    model.save(tmp_path / "m.npz")
    loaded = dn.load_model(tmp_path / "m.npz")
    assert [layer.config() for layer in loaded.layers] == [
        {"type": "dropout", "rate": 0.1},
        {"type": "dense", "in_features": 784, "out_features": 8},
        {"type": "leaky_relu", "negative_slope": 0.01},
        {"type": "dropout", "rate": 0.25},
        {"type": "dense", "in_features": 8, "out_features": 10},
    ]
    assert list(loaded.parameters()) == ["1.W", "1.b", "4.W", "4.b"]


def test_a_version_1_file_gives_the_same_accuracy_as_the_release_that_wrote_it():
    _, (X, y) = dn.load_mnist(dtype="uint8")
    model = dn.load_model(V1_FILE)
    assert [layer.config()["type"] for layer in model.layers] == [
        "dense", "tanh", "dense", "relu", "dense"
    ]  # fmt: skip
    result = model.evaluate(X[:2000], y[:2000])
    assert result["accuracy"] == V1_ACCURACY
    assert result["loss"] == pytest.approx(V1_LOSS, rel=1e-6)


def test_a_version_1_file_saves_as_version_2_with_the_same_weights(tmp_path):
    model = dn.load_model(V1_FILE)
    model.save(tmp_path / "v2.npz")
    with np.load(V1_FILE) as old, np.load(tmp_path / "v2.npz") as new:
        assert json.loads(str(new["meta"]))["version"] == 2
        for k, i in ((1, 0), (2, 2), (3, 4)):
            assert np.array_equal(old[f"W{k}"], new[f"{i}.W"])
            assert np.array_equal(old[f"b{k}"], new[f"{i}.b"])


def test_version_1_errors_name_the_problem(tmp_path):
    path = tmp_path / "v1.npz"
    path.write_bytes(V1_FILE.read_bytes())
    rewrite(path, W2=None)
    with pytest.raises(DigitnetError, match="array W2 is missing"):
        dn.load_model(path)
    path.write_bytes(V1_FILE.read_bytes())
    with np.load(path) as archive:
        meta = json.loads(str(archive["meta"]))
    rewrite(path, meta=np.array(json.dumps({**meta, "activations": ["swish", "relu"]})))
    with pytest.raises(DigitnetError, match="invalid activations"):
        dn.load_model(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.npz"
    path.write_text("hello")
    with pytest.raises(DigitnetError, match=r"x.npz: not a digitnet model file \(a text file"):
        dn.load_model(path)


def test_truncated_file(saved):
    _, path = saved
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(DigitnetError, match="not a valid model file"):
        dn.load_model(path)


def test_missing_array(saved):
    _, path = saved
    rewrite(path, **{"2.W": None})
    with pytest.raises(DigitnetError, match="array 2.W is missing"):
        dn.load_model(path)


def test_extra_array(saved):
    _, path = saved
    rewrite(path, **{"7.W": np.zeros(3, np.float32)})
    with pytest.raises(DigitnetError, match="unexpected array 7.W"):
        dn.load_model(path)


def test_shape_disagreeing_with_the_layer(saved):
    _, path = saved
    rewrite(path, **{"2.W": np.zeros((16, 9), np.float32)})
    with pytest.raises(DigitnetError, match=r"2.W has shape \(16, 9\), but Dense\(.*\(16, 8\)"):
        dn.load_model(path)


def test_pickled_object_arrays_are_refused(saved):
    _, path = saved
    rewrite(path, **{"0.W": np.array([object()] * 3, dtype=object)})
    with pytest.raises(DigitnetError, match="holds Python objects, which digitnet never loads"):
        dn.load_model(path)


@pytest.mark.parametrize(
    "meta, message",
    [
        ({"format": "keras"}, "unknown format 'keras'"),
        ({"version": 99}, "version 99 is newer"),
        ({"dtype": "int8"}, "invalid dtype 'int8'"),
        ({"output": "sigmoid"}, "unknown output 'sigmoid'"),
        ({"input_shape": [0]}, r"invalid input_shape \[0\]"),
        ({"input_shape": [785]}, "layer 0 disagrees with its input"),
        ({"layers": []}, "'layers' must be a non-empty list"),
        ({"layers": [{"type": "swish"}]}, "layer 0: unknown layer type 'swish'"),
        ({"layers": [{"type": "dense", "in_features": 784}]}, "invalid settings for a dense"),
        ({"layers": [{"type": "dropout", "rate": 2}]}, r"dropout rate must be in \[0, 1\)"),
    ],
)
def test_bad_meta(saved, meta, message):
    model, path = saved
    rewrite_meta(path, model, **meta)
    with pytest.raises(DigitnetError, match=message):
        dn.load_model(path)


def test_nan_weights_are_refused(saved):
    _, path = saved
    W = np.zeros((16, 8), np.float32)
    W[0, 0] = np.nan
    rewrite(path, **{"2.W": W})
    with pytest.raises(DigitnetError, match="2.W contains NaN"):
        dn.load_model(path)


def test_save_is_atomic_and_leaves_no_temporary_files(saved, tmp_path):
    model, path = saved
    model.save(path)  # overwrite
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    assert zipfile.is_zipfile(path)
