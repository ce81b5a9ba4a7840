"""`digitnet predict` on pictures that are not MNIST's own: MNIST test digits rendered large at
random places on white pages, and digits written as pen strokes (tests/strokes.py)."""

import json

import numpy as np
from PIL import Image
from strokes import render

import digitnet as dn
from digitnet.cli import main


def test_mnist_test_digits_rendered_large_at_random_positions(mnist_model, tmp_path, capsys):
    (_, _), (X_test, y_test) = dn.load_mnist(dtype="uint8")
    rng = np.random.default_rng(0)
    names = []
    for i in range(60):
        digit = Image.fromarray(255 - X_test[i].reshape(28, 28))  # black ink on white
        scale = int(rng.integers(4, 12))
        digit = digit.resize((28 * scale, 28 * scale), Image.Resampling.BILINEAR)
        page = Image.new(
            "L",
            (28 * scale + int(rng.integers(10, 300)), 28 * scale + int(rng.integers(10, 200))),
            255,
        )
        page.paste(
            digit,
            (
                int(rng.integers(0, page.width - digit.width)),
                int(rng.integers(0, page.height - digit.height)),
            ),
        )
        names.append(str(tmp_path / f"digit{i}.png"))
        page.save(names[-1])
    assert main(["predict", str(mnist_model), *names, "--json"]) == 0
    answers = json.loads(capsys.readouterr().out)
    predicted = np.array([a["digit"] for a in answers])
    on_originals = dn.load_model(mnist_model).predict(X_test[:60])
    assert np.mean(predicted == y_test[:60]) >= 0.9
    assert np.mean(predicted == on_originals) >= 0.9  # the preprocessing recovers the digit
    assert answers[0]["file"] == names[0] and len(answers[0]["probabilities"]) == 10


def test_digits_written_with_a_pen(mnist_model, tmp_path, capsys):
    rng = np.random.default_rng(1)
    names, truth = [], []
    for digit in range(10):
        for k in range(2):
            image = render(
                digit,
                size=int(rng.integers(60, 180)),
                offset=(int(rng.integers(0, 80)), int(rng.integers(0, 40))),
                canvas=(300, 260),
                width=int(rng.integers(5, 16)),
                dark_on_light=k == 0,
                rotate=float(rng.normal(0, 6)),
            )
            names.append(str(tmp_path / f"pen{digit}_{k}.png"))
            image.save(names[-1])
            truth.append(digit)
    assert main(["predict", str(mnist_model), *names, "--json"]) == 0
    predicted = [a["digit"] for a in json.loads(capsys.readouterr().out)]
    assert np.mean(np.array(predicted) == truth) >= 0.85, list(zip(truth, predicted))


def test_text_output_and_show_input(mnist_model, tmp_path, capsys):
    render(7).save(tmp_path / "seven.png")
    seen = tmp_path / "seen"
    assert (
        main(["predict", str(mnist_model), str(tmp_path / "seven.png"), "--show-input", str(seen)])
        == 0
    )
    out = capsys.readouterr().out
    assert "seven.png: 7" in out and out.count("%") == 3  # the top 3 probabilities
    picture = Image.open(seen / "seven.seen.png")
    assert picture.size == (28, 28) and picture.mode == "L"


def test_bad_images_give_one_line(mnist_model, tmp_path, capsys):
    Image.new("L", (64, 64), 255).save(tmp_path / "blank.png")
    (tmp_path / "notes.txt").write_text("hello")
    for name, message in (("blank.png", "no ink"), ("notes.txt", "not an image")):
        assert main(["predict", str(mnist_model), str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
