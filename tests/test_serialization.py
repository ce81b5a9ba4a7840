"""Model files: save/load round trip, the documented layout, and clear errors for bad files."""

import json
import zipfile

import numpy as np
import pytest

import digitnet as dn
from digitnet.errors import DigitnetError


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


def test_round_trip_gives_identical_weights_and_predictions(saved):
    model, path = saved
    loaded = dn.load_model(path)
    assert loaded.layer_sizes == [784, 16, 8, 10] and loaded.activations == ["tanh", "relu"]
    for a, b in zip(model.parameters(), loaded.parameters()):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    X = np.random.default_rng(0).random((5, 784)).astype(np.float32)
    np.testing.assert_array_equal(model.predict_proba(X), loaded.predict_proba(X))


def test_file_layout_is_the_documented_one(saved):
    _, path = saved
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["W1", "W2", "W3", "b1", "b2", "b3", "meta"]
        assert archive["W1"].shape == (784, 16) and archive["b3"].shape == (10,)
        meta = json.loads(str(archive["meta"]))
    assert meta["format"] == "digitnet-mlp" and meta["version"] == 1
    assert meta["layer_sizes"] == [784, 16, 8, 10] and meta["dtype"] == "float32"
    assert meta["activations"] == ["tanh", "relu"]


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.npz"
    path.write_text("hello")
    with pytest.raises(DigitnetError, match="x.npz"):
        dn.load_model(path)


def test_truncated_file(saved):
    _, path = saved
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(DigitnetError, match="not a valid model file"):
        dn.load_model(path)


def test_missing_array(saved):
    _, path = saved
    rewrite(path, W2=None)
    with pytest.raises(DigitnetError, match="W2 is missing"):
        dn.load_model(path)


def test_shape_disagreeing_with_meta(saved):
    _, path = saved
    rewrite(path, W2=np.zeros((16, 9), np.float32))
    with pytest.raises(DigitnetError, match=r"W2 has shape \(16, 9\)"):
        dn.load_model(path)


def test_pickled_object_arrays_are_refused(saved):
    _, path = saved
    rewrite(path, W1=np.array([object()] * 3, dtype=object))
    with pytest.raises(DigitnetError, match="not a valid model file"):
        dn.load_model(path)


@pytest.mark.parametrize(
    "meta, message",
    [
        ({"format": "keras"}, "unknown format 'keras'"),
        ({"version": 99}, "version 99 is newer"),
        ({"layer_sizes": [784, 10]}, "invalid activations"),
        ({"activations": ["swish", "relu"]}, "invalid activations"),
        ({"dtype": "int8"}, "invalid dtype 'int8'"),
    ],
)
def test_bad_meta(saved, meta, message):
    model, path = saved
    from digitnet.serialization import model_meta

    rewrite(path, meta=np.array(json.dumps({**model_meta(model), **meta})))
    with pytest.raises(DigitnetError, match=message):
        dn.load_model(path)


def test_nan_weights_are_refused(saved):
    _, path = saved
    W = np.zeros((16, 8), np.float32)
    W[0, 0] = np.nan
    rewrite(path, W2=W)
    with pytest.raises(DigitnetError, match="W2 contains NaN"):
        dn.load_model(path)


def test_save_is_atomic_and_leaves_no_temporary_files(saved, tmp_path):
    model, path = saved
    model.save(path)  # overwrite
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    assert zipfile.is_zipfile(path)
