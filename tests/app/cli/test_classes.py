"""Datasets with named classes (classes.txt, --classes, EMNIST) through train, evaluate, predict,
plot, export and import; and the commands that read digits only refusing them in one line."""

import json

import numpy as np
import pytest
from named_sets import FASHION, blobs, fashion_folder

import digitnet as dn
from digitnet.app.cli import main
from digitnet.data.idx import write_idx
from digitnet.errors import DigitnetError


@pytest.fixture
def fashion(tmp_path):
    """A folder in MNIST's naming with a classes.txt of Fashion-MNIST's ten names."""
    return fashion_folder(tmp_path / "fashion")


@pytest.fixture
def emnist(tmp_path):
    """An EMNIST download of one split, "letters": labels 1..12, transposed images, a mapping."""
    folder = tmp_path / "emnist"
    folder.mkdir()
    for split, n, seed in (("train", 600, 3), ("test", 200, 4)):
        images, labels = blobs(n, seed, 12)
        stem = f"emnist-letters-{split}"
        write_idx(folder / f"{stem}-images-idx3-ubyte.gz", images.transpose(0, 2, 1).copy())
        write_idx(folder / f"{stem}-labels-idx1-ubyte.gz", labels + 1)
    mapping = "".join(f"{k} {64 + k} {96 + k}\n" for k in range(1, 13))
    (folder / "emnist-letters-mapping.txt").write_text(mapping)
    return folder


def test_classes_txt_names_the_model_and_every_answer(fashion, tmp_path, capsys):
    out = tmp_path / "fashion.npz"
    assert main(["train", "--data", str(fashion), "--epochs", "3", "--out", str(out)]) == 0
    model = dn.load_model(out)
    assert model.classes == tuple(FASHION.split(","))
    assert not model.reads_digits
    capsys.readouterr()
    assert main(["evaluate", str(out), "--data", str(fashion), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["classes"] == list(model.classes)
    assert main(["evaluate", str(out), "--data", str(fashion)]) == 0
    assert "  Ankle boot: " in capsys.readouterr().out
    picture = tmp_path / "coat.png"
    images, labels = blobs(50, 5, 10)
    from PIL import Image

    Image.fromarray(images[list(labels).index(4)]).save(picture)
    assert main(["predict", str(out), str(picture), "--json"]) == 0
    (answer,) = json.loads(capsys.readouterr().out)
    assert answer["class"] == model.classes[answer["digit"]]
    assert main(["predict", str(out), str(picture)]) == 0
    line = capsys.readouterr().out
    assert line.startswith(f"{picture}: ") and answer["class"] in line


def test_classes_flag_wins_over_the_folder_and_must_cover_every_label(fashion, tmp_path):
    names = ",".join(f"kind {k}" for k in range(10))
    out = tmp_path / "m.npz"
    args = ["train", "--data", str(fashion), "--epochs", "1", "--out", str(out)]
    assert main([*args, "--classes", names]) == 0
    assert dn.load_model(out).classes == tuple(names.split(","))
    with pytest.raises(DigitnetError, match=r"label 9 has no name: 3 class names are given"):
        dn.load_dataset(fashion, classes="a,b,c")


def test_evaluate_refuses_data_named_otherwise_than_the_model(fashion, tmp_path, capsys):
    out = tmp_path / "m.npz"
    assert main(["train", "--data", str(fashion), "--epochs", "1", "--out", str(out)]) == 0
    other = ",".join(f"kind {k}" for k in range(10))
    assert main(["evaluate", str(out), "--data", str(fashion), "--classes", other]) != 0
    assert "names its classes kind 0, kind 1" in capsys.readouterr().err


def test_emnist_letters_read_upright_numbered_from_zero_and_named(emnist, tmp_path, capsys):
    dataset = dn.load_dataset(emnist)
    assert dataset.classes == tuple(f"{chr(64 + k)}{chr(96 + k)}" for k in range(1, 13))
    assert dataset.n_classes == 12
    X, y = dataset.train
    images, labels = blobs(600, 3, 12)  # what the fixture wrote, before transposing
    assert np.array_equal(y, labels.astype(np.int64))
    np.testing.assert_allclose(X.reshape(-1, 28, 28), images / 255.0, atol=1e-6)
    out = tmp_path / "letters.npz"
    assert main(["train", "--data", str(emnist), "--epochs", "5", "--out", str(out)]) == 0
    model = dn.load_model(out)
    assert model.n_classes == 12 and model.classes[0] == "Aa"
    assert "test accuracy: 100.00%" in capsys.readouterr().out  # each class its own block


def test_a_folder_of_several_emnist_splits_asks_for_one(emnist):
    for path in list(emnist.glob("emnist-letters-*")):
        path.with_name(path.name.replace("letters", "digits")).write_bytes(path.read_bytes())
    with pytest.raises(DigitnetError, match=r"holds the EMNIST splits digits, letters: choose"):
        dn.load_dataset(emnist)
    assert dn.load_dataset(emnist / "emnist-digits").n_classes == 12


def test_plot_labels_the_confusion_matrix_with_the_names(fashion, tmp_path, monkeypatch):
    from digitnet.app.plots import training

    saved = {}
    monkeypatch.setattr(training, "save_png", lambda fig, path: saved.setdefault(path.name, fig))
    out = tmp_path / "m.npz"
    assert main(["train", "--data", str(fashion), "--epochs", "1", "--out", str(out)]) == 0
    assert main(["plot", str(out), "--data", str(fashion), "--out", str(tmp_path / "p")]) == 0
    axes = saved["confusion.png"].axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()] == FASHION.split(",")
    assert axes.get_xlabel() == "predicted class"


def test_names_survive_onnx_export_and_import(fashion, tmp_path):
    pytest.importorskip("onnx")
    out = tmp_path / "m.npz"
    assert main(["train", "--data", str(fashion), "--epochs", "1", "--out", str(out)]) == 0
    assert main(["export", str(out), "--out", str(tmp_path / "m.onnx")]) == 0
    assert main(["import", str(tmp_path / "m.onnx"), "--out", str(tmp_path / "back.npz")]) == 0
    assert dn.load_model(tmp_path / "back.npz").classes == tuple(FASHION.split(","))


def test_a_model_file_with_bad_names_is_refused(tmp_path):
    model = dn.MLP(seed=0, classes=tuple(FASHION.split(",")))
    model.save(tmp_path / "ok.npz")
    assert dn.load_model(tmp_path / "ok.npz").classes == model.classes
    with pytest.raises(DigitnetError):
        model.classes = ("a", "b")  # ten outputs need ten names
    assert dn.load_model(tmp_path / "ok.npz").classes[9] == "Ankle boot"


def test_the_live_page_refuses_what_it_cannot_show_and_doctor_more_than_ten(
    fashion, emnist, tmp_path, capsys
):
    out = tmp_path / "m.npz"
    assert main(["train", "--data", str(fashion), "--epochs", "1", "--out", str(out)]) == 0
    capsys.readouterr()
    port = ["--port", "0"]  # were a refusal to fail, the test would not hang on port 8000
    letters = ",".join("abcdefghij")
    assert main(["serve", str(out), "--data", str(fashion), "--classes", letters, *port]) == 2
    assert (
        f"{out} reads T-shirt/top, Trouser, Pullover, ... (10 classes), {fashion} holds a, b"
        in (capsys.readouterr().err)
    )
    assert main(["serve", str(out), *port]) == 2  # its names on bundled MNIST's digits: no
    assert "bundled MNIST holds the digits: give --data the set it was trained on" in (
        capsys.readouterr().err
    )
    digits = tmp_path / "digits.npz"
    dn.MLP(seed=0).save(digits)
    assert main(["serve", str(digits), "--data", str(fashion), *port]) == 2
    assert f"{digits} reads the digits, {fashion} holds T-shirt/top" in capsys.readouterr().err
    assert main(["serve", "--data", str(emnist), *port]) == 2
    assert "12 classes; the live page reads data of at most 10" in capsys.readouterr().err
    five = tmp_path / "five.npz"
    dn.MLP([784, 32, 5], seed=0).save(five)
    assert main(["serve", str(five), *port]) == 2
    assert "the live page reads networks of ten classes; this one scores 5" in (
        capsys.readouterr().err
    )
    assert main(["doctor", "--data", str(emnist)]) != 0
    assert "12 classes; doctor reads data of at most 10" in capsys.readouterr().err
