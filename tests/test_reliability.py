"""Never crash, never lose data: every kind of bad input gives one line and exit status 2 (no
traceback), a crash while saving leaves the old file, and fuzzed files load or are refused."""

import gzip
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import digitnet as dn
from digitnet.app.cli import main
from digitnet.data.idx import parse_idx, write_idx
from digitnet.errors import DigitnetError


def run_fails_cleanly(argv, capsys, *mentions):
    """main(argv) must exit 2 with one line on stderr naming what went wrong."""
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("digitnet: error:") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for mention in mentions:
        assert str(mention) in err, err
    return err


# --- data files ----------------------------------------------------------------------------------
IMAGES = "train-images-idx3-ubyte.gz"


def header(type_code, *dims):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)


PIXELS = np.random.default_rng(0).integers(0, 256, 200 * 784).astype(np.uint8).tobytes()
BROKEN_IMAGE_FILES = {
    "not gzip, not IDX": (b"hello, this is text\n" * 20, "not an IDX file"),
    "truncated gzip": (
        gzip.compress(header(8, 200, 28, 28) + PIXELS)[:3000],
        "truncated gzip",
    ),
    "corrupt gzip": (
        gzip.compress(header(8, 200, 28, 28) + bytes(200 * 784))[:20] + b"\xff" * 500,
        "gzip",
    ),
    "wrong magic": (gzip.compress(b"\x01\x02\x08\x03" + bytes(12 + 200 * 784)), "not an IDX"),
    "wrong type code": (gzip.compress(header(7, 200, 28, 28) + bytes(200 * 784)), "type code"),
    "dimensions vs length": (
        gzip.compress(header(8, 200, 28, 28) + bytes(100 * 784)),
        "need 156816 bytes",
    ),
    "count mismatch": (
        gzip.compress(header(8, 150, 28, 28) + bytes(150 * 784)),
        "150 images but 200 labels",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_IMAGE_FILES))
def test_broken_idx_files(idx_folder, capsys, case):
    content, message = BROKEN_IMAGE_FILES[case]
    (idx_folder / IMAGES).write_bytes(content)
    run_fails_cleanly(["train", "--data", idx_folder], capsys, message)


def test_labels_without_a_name(idx_folder, capsys):
    (idx_folder / "classes.txt").write_text("\n".join("abcdefghij") + "\n")
    write_idx(idx_folder / "train-labels-idx1-ubyte.gz", np.full(200, 11, np.uint8))
    run_fails_cleanly(["train", "--data", idx_folder], capsys, "label 11 has no name")


def test_missing_data(tmp_path, capsys):
    run_fails_cleanly(["train", "--data", tmp_path / "nowhere"], capsys, "nowhere")
    run_fails_cleanly(["train", "--data", tmp_path / "nothing.csv"], capsys, "nothing.csv")
    run_fails_cleanly(["train", "--data", tmp_path], capsys, "no train-images")


CSV_HEADER = "label," + ",".join(f"pixel{i}" for i in range(784))
BROKEN_CSV = {
    "empty file": ("", "empty"),
    "no label column": ("a,b\n1,2\n", "no 'label' column"),
    "wrong pixel count": ("label,p0,p1\n1,0,0\n", "784 pixel columns"),
    "non-numeric": (CSV_HEADER + "\n1,x" + ",0" * 783 + "\n", "non-numeric cell 'x'"),
    "empty cell": (CSV_HEADER + "\n1,," + "0," * 782 + "0\n", "empty cell"),
    "value out of range": (CSV_HEADER + "\n1" + ",256" * 784 + "\n", "0-255"),
    "label out of range": (CSV_HEADER + "\n12" + ",0" * 784 + "\n", "labels must be"),
}


@pytest.mark.parametrize("case", list(BROKEN_CSV))
def test_broken_csv_files(tmp_path, capsys, case):
    text, message = BROKEN_CSV[case]
    path = tmp_path / "train.csv"
    path.write_text(text)
    run_fails_cleanly(["train", "--data", path], capsys, "train.csv", message)


# --- model files ---------------------------------------------------------------------------------
@pytest.fixture
def good_model(tmp_path):
    path = tmp_path / "model.npz"
    dn.MLP([784, 8, 10], seed=0).save(path)
    return path


def rewrite(path, **changes):
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays.update(changes)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})


def meta_with(path, **fields):
    with np.load(path) as archive:
        meta = json.loads(str(archive["meta"]))
    return np.array(json.dumps({**meta, **fields}))


def test_broken_model_files(good_model, capsys):
    cases = [
        (lambda p: p.write_text("not a zip"), "not a digitnet model file (a text file"),
        (lambda p: p.write_bytes(p.read_bytes()[:500]), "not a valid model file"),
        (lambda p: rewrite(p, **{"2.W": None}), "array 2.W is missing"),
        (
            lambda p: rewrite(p, **{"0.W": np.zeros((784, 9), np.float32)}),
            "0.W has shape (784, 9)",
        ),
        (lambda p: rewrite(p, **{"0.b": np.array([object()] * 8)}), "holds Python objects"),
        (lambda p: rewrite(p, **{"3.W": np.zeros(2, np.float32)}), "unexpected array 3.W"),
        (lambda p: rewrite(p, meta=meta_with(p, layers=[{"type": "conv9"}])), "'conv9'"),
        (lambda p: rewrite(p, meta=meta_with(p, format="keras")), "unknown format 'keras'"),
        (lambda p: rewrite(p, meta=meta_with(p, version=7)), "newer"),
        (lambda p: rewrite(p, **{"2.b": np.full(10, np.inf, np.float32)}), "NaN or infinite"),
        (lambda p: p.unlink(), "model file not found"),
    ]
    backup = good_model.read_bytes()
    for damage, message in cases:
        good_model.write_bytes(backup)
        damage(good_model)
        run_fails_cleanly(["evaluate", good_model], capsys, "model.npz", message)


def test_files_that_are_not_models_are_named_and_never_loaded_unsafely(tmp_path, capsys):
    """A picture given as the model says what the file is, and no message ever suggests
    allow_pickle=True (loading pickles can run any code)."""
    Image.new("L", (28, 28), 0).save(tmp_path / "digit.png")
    (tmp_path / "notes.txt").write_text("hello\n")
    np.savez(tmp_path / "objects.npz", meta=np.array([{"a": 1}], dtype=object))
    for name, what in (
        ("digit.png", "not a digitnet model file (a PNG image, not an .npz archive)"),
        ("notes.txt", "not a digitnet model file (a text file, not an .npz archive)"),
        ("objects.npz", "Python objects"),
    ):
        err = run_fails_cleanly(["evaluate", tmp_path / name], capsys, name, what)
        assert "allow_pickle" not in err, err


def test_crash_while_saving_leaves_the_old_model(good_model, monkeypatch):
    before = good_model.read_bytes()

    def crash_halfway(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", crash_halfway)
    with pytest.raises(OSError):
        dn.MLP([784, 16, 10], seed=5).save(good_model)
    assert good_model.read_bytes() == before
    assert [p.name for p in good_model.parent.iterdir()] == ["model.npz"]  # no temporary file


# --- images and flags ----------------------------------------------------------------------------
def test_broken_images(good_model, tmp_path, capsys):
    (tmp_path / "text.png").write_text("hello")
    (tmp_path / "empty.png").write_bytes(b"")
    Image.new("L", (100, 80), 255).save(tmp_path / "blank.png")
    Image.new("L", (1, 1), 0).save(tmp_path / "dot.png")
    for name, message in (
        ("text.png", "not an image"),
        ("empty.png", "not an image"),
        ("blank.png", "no ink"),
        ("dot.png", "too small"),
        ("missing.png", "not found"),
    ):
        run_fails_cleanly(["predict", good_model, tmp_path / name], capsys, name, message)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--lr", "0"], "--lr"),
        (["--lr", "-0.1"], "--lr"),
        (["--lr", "inf"], "--lr"),
        (["--batch-size", "0"], "--batch-size"),
        (["--epochs", "-1"], "--epochs"),
        (["--hidden", "64,0"], "--hidden"),
        (["--optimizer", "lbfgs"], "--optimizer"),
        (["--activation", "gelu"], "--activation"),
        (["--momentum", "1.5"], "--momentum"),
        (["--warmup-epochs", "-1"], "--warmup-epochs"),
    ],
)
def test_bad_flags(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", *flags])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and message in err and err.count("\n") == 1


def test_limit_larger_than_the_data(capsys):
    run_fails_cleanly(["train", "--limit", "60001"], capsys, "--limit must be between 1 and 60000")


def test_unwritable_output(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    run_fails_cleanly(["train", "--out", tmp_path / "file" / "m.npz"], capsys, "file")


# --- fuzzing -------------------------------------------------------------------------------------
VALID_IDX = header(8, 3, 4, 5) + bytes(range(60))


def mutated(valid: bytes):
    """Valid bytes with some of them changed, cut short, or extended."""
    return st.tuples(
        st.lists(st.tuples(st.integers(0, len(valid) - 1), st.integers(0, 255)), max_size=6),
        st.integers(0, len(valid)),
        st.binary(max_size=8),
    ).map(lambda m: _apply(valid, *m))


def _apply(valid, changes, cut, tail):
    data = bytearray(valid)
    for index, value in changes:
        data[index] = value
    return bytes(data[:cut]) + tail


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), mutated(VALID_IDX), mutated(gzip.compress(VALID_IDX))))
def test_fuzz_idx_reader_loads_or_refuses(data):
    try:
        array = parse_idx(data, "fuzz")
    except DigitnetError:
        return
    assert isinstance(array, np.ndarray)


def _model_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.npz"
        dn.MLP([6, 4, 3], seed=0).save(path)
        return path.read_bytes()


VALID_MODEL = _model_bytes()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=500), mutated(VALID_MODEL)))
def test_fuzz_model_loader_loads_or_refuses(data):
    folder = Path(tempfile.mkdtemp())
    try:
        (folder / "m.npz").write_bytes(data)
        try:
            model = dn.load_model(folder / "m.npz")
        except DigitnetError:
            return
        assert np.isfinite(model.flat_params).all()
    finally:
        shutil.rmtree(folder)


def test_a_zip_member_that_is_not_an_array_is_refused_in_one_line(good_model, capsys):
    import zipfile

    with zipfile.ZipFile(good_model, "a") as archive:
        archive.writestr("notes", b'{"hello": 1}')  # not a .npy member: NumPy returns bytes
    run_fails_cleanly(["evaluate", good_model], capsys, "notes is not a NumPy array")
