"""Model files: the version-2 layout, the round trip, version-1 files, and one-line errors."""

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

import digitnet as dn
from digitnet.errors import DigitnetError
from digitnet.nn.layers import LAYER_TYPES
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


def write_v1(path, layer_sizes, activations, **extra):
    """A version-1 file as digitnet 0.1 wrote them (W1, b1, ... and meta), plus `extra` arrays;
    None as layer_sizes or activations leaves the key out of meta."""
    meta = {"format": "digitnet-mlp", "version": 1, "output": "softmax", "dtype": "float32"}
    if layer_sizes is not None:
        meta["layer_sizes"] = layer_sizes
    if activations is not None:
        meta["activations"] = activations
    sizes = layer_sizes if isinstance(layer_sizes, list) else []
    rng = np.random.default_rng(0)
    arrays = {}
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        if type(fan_in) is type(fan_out) is int and min(fan_in, fan_out) >= 0:  # (True is no size)
            arrays[f"W{k}"] = rng.standard_normal((fan_in, fan_out)).astype(np.float32)
            arrays[f"b{k}"] = rng.standard_normal(fan_out).astype(np.float32)
    np.savez(path, meta=np.array(json.dumps(meta)), **arrays, **extra)
    return arrays


def test_a_version_1_file_has_no_other_arrays():
    model, others = dn.Sequential.from_file(V1_FILE)
    assert others == {}
    assert model.input_shape == (784,) and model.n_classes == 10


def test_a_version_2_file_has_no_other_arrays(saved):
    _, path = saved
    assert dn.Sequential.from_file(path)[1] == {}


def test_other_arrays_of_a_version_1_file_are_returned_apart(tmp_path):
    path = tmp_path / "v1.npz"
    write_v1(path, [3, 2], [], W0=np.zeros(1), b2=np.ones(2), step=np.array(7))
    model, others = dn.Sequential.from_file(path)
    assert sorted(others) == ["W0", "b2", "step"] and others["step"] == 7
    assert list(model.parameters()) == ["0.W", "0.b"]


@pytest.mark.parametrize(
    "layer_sizes, activations, types",
    [
        ([3, 2], [], ["dense"]),  # no hidden layer
        ([3, 1, 2], ["sigmoid"], ["dense", "sigmoid", "dense"]),  # a hidden layer of one unit
        ([1, 4, 1], ["relu"], ["dense", "relu", "dense"]),  # one input, one class
    ],
)
def test_small_version_1_files_load_with_their_weights(tmp_path, layer_sizes, activations, types):
    path = tmp_path / "v1.npz"
    arrays = write_v1(path, layer_sizes, activations)
    model = dn.load_model(path)
    assert [layer.config()["type"] for layer in model.layers] == types
    assert model.input_shape == (layer_sizes[0],)
    for k in range(1, len(layer_sizes)):
        np.testing.assert_array_equal(model.parameters()[f"{2 * (k - 1)}.W"], arrays[f"W{k}"])
        np.testing.assert_array_equal(model.parameters()[f"{2 * (k - 1)}.b"], arrays[f"b{k}"])


@pytest.mark.parametrize(
    "layer_sizes, activations, message",
    [
        (None, [], "invalid layer_sizes None"),
        (784, [], "invalid layer_sizes 784"),
        ([784], [], r"invalid layer_sizes \[784\]$"),
        ([], [], r"invalid layer_sizes \[\]$"),
        ([784, 0, 10], ["relu"], r"invalid layer_sizes \[784, 0, 10\]$"),
        ([784, -16, 10], ["relu"], r"invalid layer_sizes \[784, -16, 10\]$"),
        ([784, 16.5, 10], ["relu"], r"invalid layer_sizes \[784, 16.5, 10\]$"),
        ([784, True, 10], ["relu"], r"invalid layer_sizes \[784, True, 10\]$"),
        ([784, 16, 10], None, r"invalid activations None for layer_sizes \[784, 16, 10\]$"),
        ([784, 16, 10], "relu", r"invalid activations 'relu' for layer_sizes \[784, 16, 10\]$"),
        ([784, 16, 10], [], r"invalid activations \[\] for layer_sizes \[784, 16, 10\]$"),
        ([784, 10], ["relu"], r"invalid activations \['relu'\] for layer_sizes \[784, 10\]$"),
        ([784, 16, 10], [1], r"invalid activations \[1\] for layer_sizes \[784, 16, 10\]$"),
        ([784, 16, 10], ["dense"], r"invalid activations \['dense'\]"),
    ],
)
def test_bad_version_1_meta(tmp_path, layer_sizes, activations, message):
    path = tmp_path / "v1.npz"
    write_v1(path, layer_sizes, activations)
    with pytest.raises(DigitnetError, match=f"^{re.escape(str(path))}: {message}"):
        dn.load_model(path)


@pytest.mark.parametrize(
    "start, kind",
    [
        (b"", "an empty file"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff\xe0", "a JPEG image"),
        (b"GIF89a", "a GIF image"),
        (b"BM6\x00", "a BMP image"),
        (b"\x1f\x8b\x08", "a gzip file"),
        (b"\x93NUMPY\x01\x00", "a single NumPy .npy array"),
        (b"\x80\x04\x95", "a Python pickle"),
        (b"name\tvalue\r\n1\t2\n\x0b\x0c", "a text file"),  # tab, LF, VT, FF, CR: text
        (b" ~\x7f", "a text file"),
        (b"text\x00", "an unknown kind of file"),
        (b"text\x08", "an unknown kind of file"),
        (b"text\x0e", "an unknown kind of file"),
        (b"text\x1f", "an unknown kind of file"),
    ],
)
def test_a_file_that_is_not_a_model_is_named_by_its_first_bytes(tmp_path, start, kind):
    path = tmp_path / "x.npz"
    path.write_bytes(start)
    expected = f"{path}: not a digitnet model file ({kind}, not an .npz archive)"
    with pytest.raises(DigitnetError) as error:
        dn.load_model(path)
    assert str(error.value) == expected


def test_only_the_first_512_bytes_say_what_a_file_is(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_bytes(b"a" * 512 + b"\x00")  # a NUL after the bytes looked at
    with pytest.raises(DigitnetError, match=r"\(a text file, not an .npz archive\)$"):
        dn.load_model(path)


def test_an_npz_member_that_numpy_cannot_read(tmp_path):
    path = tmp_path / "bad.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("meta.npy", b"\x93NUMPY\x01\x00garbage")  # a header cut short
    with pytest.raises(DigitnetError) as error:
        dn.load_model(path)
    assert str(error.value).startswith(f"{path}: not a valid model file (EOF: ")


@pytest.mark.parametrize(
    "meta, message",
    [
        (None, "no 'meta' entry: not a digitnet model file"),
        (np.array(["{}"]), "'meta' must be a JSON string, got <U2 (1,)"),
        (np.array(7), "'meta' must be a JSON string, got int64 ()"),
        (np.array("{'format': 2}"), "'meta' is not valid JSON (Expecting property name enclosed "
                                    "in double quotes: line 1 column 2 (char 1))"),
        (np.array("[1, 2]"), "'meta' must be a JSON object"),
    ],
)  # fmt: skip
def test_meta_must_be_a_json_object(saved, meta, message):
    _, path = saved
    rewrite(path, meta=meta)
    with pytest.raises(DigitnetError) as error:
        dn.load_model(path)
    assert str(error.value) == f"{path}: {message}"


@pytest.mark.parametrize(
    "meta, message",
    [
        ({"version": 0}, "invalid format version 0"),
        ({"version": "2"}, "invalid format version '2'"),
        ({"version": 2.0}, "invalid format version 2.0"),
        ({"version": True}, "invalid format version True"),
        ({"version": None}, "invalid format version None"),
        ({"input_shape": []}, "invalid input_shape []"),
        ({"input_shape": 784}, "invalid input_shape 784"),
        ({"input_shape": [784.0]}, "invalid input_shape [784.0]"),
        ({"layers": "relu"}, "'layers' must be a non-empty list of layer configs"),
        ({"layers": ["relu"]}, "layer 0: unknown layer type 'relu'; digitnet knows "
                               + ", ".join(LAYER_TYPES)),
    ],
)  # fmt: skip
def test_bad_meta_messages_in_full(saved, meta, message):
    model, path = saved
    rewrite_meta(path, model, **meta)
    with pytest.raises(DigitnetError) as error:
        dn.load_model(path)
    assert str(error.value) == f"{path}: {message}"


def test_a_version_1_file_of_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "v1.npz"
    path.write_bytes(V1_FILE.read_bytes())
    with np.load(path) as archive:
        meta = json.loads(str(archive["meta"]))
    rewrite(path, meta=np.array(json.dumps({**meta, "version": 2})))
    with pytest.raises(
        DigitnetError, match=r"format version 2 is newer than this digitnet reads \(1\)"
    ):
        dn.load_model(path)


def test_dtype_disagreeing_with_the_meta(saved):
    _, path = saved
    rewrite(path, **{"2.b": np.zeros(8, np.float64)})
    with pytest.raises(DigitnetError) as error:
        dn.load_model(path)
    assert str(error.value) == f"{path}: 2.b has dtype float64, meta says float32"


def test_float64_models_round_trip_in_float64(tmp_path):
    model = dn.MLP([5, 4, 3], activation="sigmoid", seed=2, dtype="float64")
    model.save(tmp_path / "m.npz")
    loaded = dn.load_model(tmp_path / "m.npz")
    assert loaded.dtype == "float64" and loaded.flat_params.dtype == np.float64
    np.testing.assert_array_equal(loaded.flat_params, model.flat_params)


@pytest.mark.parametrize(
    "layers, input_shape",
    [
        ([dn.Tanh()], (3,)),  # no dense layer: only the file knows the input shape
        ([dn.Dense(1, 2)], (1,)),  # one input
    ],
)
def test_unusual_input_shapes_round_trip(tmp_path, layers, input_shape):
    model = dn.Sequential(layers, input_shape=input_shape)
    model.save(tmp_path / "m.npz")
    loaded, others = dn.Sequential.from_file(tmp_path / "m.npz")
    assert loaded.input_shape == input_shape and others == {}
    X = np.linspace(0, 1, 2 * input_shape[0]).reshape(2, *input_shape)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
