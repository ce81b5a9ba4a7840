"""What a new user tripped over on the command line: each a one-line error (or a quiet exit)
instead of a traceback, a training run wasted, or a misleading message."""

import io
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from digitnet.app.cli import main
from digitnet.app.cli.exit_codes import PIPE_CLOSED


def stroke(shift: int) -> np.ndarray:
    """A 28x28 picture of a vertical bar (a "1"), ink bright on black, moved by `shift`."""
    image = np.zeros((28, 28), np.uint8)
    column = 12 + shift % 4
    image[5:23, column : column + 3] = 255
    return image


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_serve_refuses_a_port_outside_0_to_65535_in_one_line(port, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["serve", "--port", port])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "expected a port number 0-65535" in err and err.count("\n") == 1


def test_an_out_that_cannot_be_written_fails_before_training(idx_folder, capsys, monkeypatch):
    """/proc accepts no new files: the check writes one, as the atomic save will, so the run
    stops at once instead of after its epochs."""
    trained = []
    monkeypatch.setattr("digitnet.app.cli.train.fit_recipe", lambda *a, **k: trained.append(1))
    started = time.perf_counter()
    code = main(["train", "--data", str(idx_folder), "--out", "/proc/x.npz", "--quiet"])
    assert code == 2 and not trained
    err = capsys.readouterr().err
    assert err.startswith("digitnet: error: /proc/x.npz: cannot write there")
    assert err.count("\n") == 1
    assert time.perf_counter() - started < 30


def test_a_picture_given_as_data_is_named_as_not_a_dataset(tmp_path, mnist_model, capsys):
    photo = tmp_path / "photo.jpg"
    Image.fromarray(np.zeros((40, 40), np.uint8)).save(photo)
    evaluate = ["evaluate", str(mnist_model), "--data", str(photo)]
    for command in (["train", "--data", str(photo), "--out", str(tmp_path / "m.npz")], evaluate):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "a file, not a dataset" in err and "digitnet predict" in err, err


def test_evaluate_needs_only_the_test_files(idx_folder, mnist_model, capsys):
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        (idx_folder / name).unlink()
    assert main(["evaluate", str(mnist_model), "--data", str(idx_folder), "--json"]) == 0
    assert '"n": 100' in capsys.readouterr().out


def test_a_closed_output_pipe_ends_quietly(mnist_model, tmp_path, monkeypatch, capsys):
    """`digitnet predict ... | head`: the reader goes away; no "Broken pipe" error line."""
    picture = tmp_path / "one.png"
    Image.fromarray(stroke(0)).save(picture)

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["predict", str(mnist_model), str(picture)]) == PIPE_CLOSED
    assert capsys.readouterr().err == ""


@pytest.mark.slow  # a subprocess
def test_predict_into_head_prints_no_error(mnist_model, tmp_path):
    pictures = []
    for i in range(400):  # more lines than the pipe holds before head has read them
        pictures.append(tmp_path / f"d{i}.png")
        Image.fromarray(stroke(i)).save(pictures[-1])
    command = [sys.executable, "-m", "digitnet", "predict", str(mnist_model), *map(str, pictures)]
    predict = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-n", "1"], stdin=predict.stdout, capture_output=True)
    predict.stdout.close()
    err = predict.stderr.read().decode()
    predict.wait(timeout=120)
    assert head.stdout.count(b"\n") == 1
    assert "Broken pipe" not in err and "Traceback" not in err, err


def test_compare_predict_and_plot_check_their_output_before_the_work(
    mnist_model, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr("digitnet.app.cli.compare.train_recipe", lambda *a: pytest.fail("ran"))
    assert main(["compare", "gd", "--limit", "100", "--out", "/proc/c.png"]) == 2
    assert capsys.readouterr().err.startswith("digitnet: error: /proc/c.png: cannot write there")
    csv = tmp_path / "test.csv"
    csv.write_text("pixel0\n0\n")
    assert main(["predict", str(mnist_model), str(csv), "--out", "/proc/sub.csv"]) == 2
    assert "/proc/sub.csv: cannot write there" in capsys.readouterr().err
    monkeypatch.setattr("digitnet.model.load_model", lambda *a: pytest.fail("read"))
    assert main(["plot", str(mnist_model), "--out", "/proc/plots"]) == 2
    assert "/proc/plots: cannot" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["train", "compare gd", "gradcheck"])
def test_a_negative_seed_is_refused_in_one_line(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*command.split(), "--seed", "-1"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "expected a seed 0 to 2**32-1, got '-1'" in err and err.count("\n") == 1
