"""The page's server with a named set (a Fashion-style classes.txt): its options name the classes,
/predict answers with the name, a run and a save from the page keep the names, teaching takes the
class's number, and the number pad is refused; new_session refuses what the page cannot show."""

import pytest
from named_sets import FASHION, blobs, fashion_folder
from test_server_live import call, serving_session, wait_for

import digitnet as dn
from digitnet.app.serve.server import new_session
from digitnet.data.datasets import load_csv
from digitnet.data.idx import write_idx
from digitnet.errors import DigitnetError

NAMES = FASHION.split(",")


@pytest.fixture
def named(tmp_path):
    """A server on a session of an untrained MLP and the Fashion-style set: its address."""
    folder = fashion_folder(tmp_path / "fashion")
    session = new_session(dn.MLP(seed=0), str(folder), tmp_path, name=None)  # a new network
    with serving_session(session) as address:
        yield address


def picture_of(label):
    """A test image of the class `label`, as the pad's rows of values in [0, 1]."""
    images, labels = blobs(60, 7, 10)
    return (images[list(labels).index(label)] / 255).tolist()


def test_the_options_name_the_classes(named):
    status, options = call(named, "GET", "/api/options")
    assert status == 200
    assert options["classes"] == NAMES and options["digits"] is False


def test_a_run_from_the_page_reads_and_saves_the_names(named, tmp_path):
    status, _ = call(named, "POST", "/api/train", {"epochs": 5, "lr": 0.003})
    assert status == 200
    assert wait_for(named, ("done",))["test_accuracy"] > 0.9  # the blocks are easy to tell apart
    for epoch in (None, 0):  # the current network, and the snapshot of epoch 0 (its own copy)
        answer = call(named, "POST", "/predict", {"image": picture_of(3), "epoch": epoch})[1]
        assert answer["class"] == NAMES[answer["digit"]]  # the pad's centring moves the blocks
    assert call(named, "POST", "/api/save", {"name": "named.npz"})[0] == 200
    assert dn.load_model(tmp_path / "named.npz").classes == tuple(NAMES)
    assert call(named, "POST", "/api/train", {"continue": True, "epochs": 1})[0] == 200
    wait_for(named, ("done",))
    assert call(named, "POST", "/api/save", {"name": "more.npz"})[0] == 200
    assert dn.load_model(tmp_path / "more.npz").classes == tuple(NAMES)


def test_teaching_keeps_the_class_number_and_the_names_beside_it(named, tmp_path):
    status, taught = call(named, "POST", "/api/teach", {"image": picture_of(9), "label": 9})
    assert status == 200 and taught["taught"] == 1
    assert load_csv(tmp_path / "taught.csv", "uint8")[1].tolist() == [9]  # Ankle boot's number
    assert (tmp_path / "taught.classes.txt").read_text().splitlines() == NAMES
    assert dn.load_dataset(tmp_path / "taught.csv").classes == tuple(NAMES)  # train --data reads


def test_taught_drawings_of_another_set_are_not_mixed_in(tmp_path):
    folder = str(fashion_folder(tmp_path / "fashion"))
    digits = new_session(dn.MLP(seed=0), None, tmp_path, name=None)
    try:
        digits.teach({"image": picture_of(1), "label": 1})
    finally:
        digits.close()
    with pytest.raises(DigitnetError, match="taught.csv holds drawings of the digits, the page"):
        new_session(dn.MLP(seed=0), folder, tmp_path, name=None)
    (tmp_path / "taught.csv").unlink()
    named = new_session(dn.MLP(seed=0), folder, tmp_path, name=None)
    try:
        named.teach({"image": picture_of(1), "label": 1})
    finally:
        named.close()
    with pytest.raises(
        DigitnetError, match=r"holds drawings of T-shirt/top, .*the page reads the"
    ):
        new_session(dn.MLP(seed=0), None, tmp_path, name=None)
    (tmp_path / "taught.csv").unlink()  # the names alone, left behind, would name digits
    with pytest.raises(DigitnetError, match="taught.classes.txt names classes but .* is missing"):
        new_session(dn.MLP(seed=0), None, tmp_path, name=None)


def test_the_number_pad_is_refused_for_a_named_set(named):
    status, answer = call(named, "POST", "/api/read-number", {"image": picture_of(1)})
    assert status == 400
    assert answer["error"] == (
        "the number pad reads digits only; this network reads T-shirt/top, Trouser, Pullover, "
        "... (10 classes)"
    )


def test_a_digit_page_says_its_classes_are_the_digits(tmp_path):
    session = new_session(dn.MLP(seed=0), None, tmp_path)
    try:
        assert session.options()["classes"] == list("0123456789")
        assert session.options()["digits"] is True
    finally:
        session.close()


def test_classes_name_the_labels_of_a_folder_without_classes_txt(tmp_path):
    folder = fashion_folder(tmp_path / "plain", names=None)
    session = new_session(dn.MLP(seed=0), str(folder), tmp_path, classes=FASHION, name=None)
    try:
        assert session.options()["classes"] == NAMES
    finally:
        session.close()


def test_what_the_page_cannot_show_is_refused_in_one_line(tmp_path):
    folder = str(fashion_folder(tmp_path / "fashion"))
    letters = dn.MLP(seed=0, classes=tuple("abcdefghij"))
    with pytest.raises(
        DigitnetError, match=r"^letters.npz reads a, b, c, \.\.\. \(10 classes\), "
    ):
        new_session(letters, folder, tmp_path, name="letters.npz")
    with pytest.raises(DigitnetError, match="the model reads the digits, .* holds T-shirt/top"):
        new_session(dn.MLP(seed=0), folder, tmp_path)  # a given model must read the data's
    with pytest.raises(DigitnetError, match="reads networks of ten classes; this one scores 4"):
        new_session(dn.MLP([784, 16, 4], seed=0), None, tmp_path)
    three = tmp_path / "three"  # a named set of three classes
    three.mkdir()
    for split, seed in (("train", 1), ("t10k", 2)):
        images, labels = blobs(60, seed, 3)
        write_idx(three / f"{split}-images-idx3-ubyte.gz", images)
        write_idx(three / f"{split}-labels-idx1-ubyte.gz", labels)
    with pytest.raises(
        DigitnetError, match=r"\(3 classes\); the live page shows named sets of ex"
    ):
        new_session(dn.MLP(seed=0), str(three), tmp_path, classes="cat,dog,bird", name=None)
