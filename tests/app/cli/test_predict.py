"""`digitnet predict` on pictures that are not MNIST's own: MNIST test digits rendered large at
random places on white pages, digits written as pen strokes (tests/strokes.py), photo-like
pictures of digits on paper (tests/photos.py); Kaggle's test.csv; saying when it is unsure."""

import json

import numpy as np
from photos import photograph
from PIL import Image
from strokes import render

import digitnet as dn
from digitnet.app.cli import main
from digitnet.app.cli.predict import answer, describe_answer


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


def test_photos_of_digits_on_paper(mnist_model, tmp_path, capsys):
    """Tinted paper, light falling off, a soft shadow, blue or black ink, noise, blur, rotation
    and JPEG all at once (tests/photos.py): the digitnet before photo preprocessing read ~10%."""
    (_, _), (X_test, y_test) = dn.load_mnist()
    rng = np.random.default_rng(5)
    names = []
    for i in range(30):
        names.append(str(tmp_path / f"photo{i}.png"))
        photograph(X_test[i].reshape(28, 28), rng).save(names[-1])
    assert main(["predict", str(mnist_model), *names, "--json"]) == 0
    predicted = np.array([a["digit"] for a in json.loads(capsys.readouterr().out)])
    assert np.mean(predicted == y_test[:30]) >= 0.85, list(zip(y_test[:30], predicted))


def test_low_confidence_is_said_with_the_two_best_guesses(mnist_model, tmp_path, capsys):
    render(7).save(tmp_path / "seven.png")
    assert main(["predict", str(mnist_model), str(tmp_path / "seven.png"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)[0]
    assert result["confidence"] == max(result["probabilities"]) and result["sure"] is True
    unsure = answer("ambiguous.png", np.array([0, 0, 0, 0, 0.55, 0, 0, 0, 0.05, 0.40]))
    assert unsure["sure"] is False and unsure["confidence"] == 0.55
    assert describe_answer(unsure) == "ambiguous.png: not sure: 4 (55.0%) or 9 (40.0%)"
    clear = answer("clear.png", np.eye(10)[3] * 0.9 + 0.01)
    assert describe_answer(clear).startswith("clear.png: 3 ")


def test_kaggle_test_csv_becomes_a_submission(mnist_model, tmp_path, capsys):
    (_, _), (X_test, _) = dn.load_mnist(dtype="uint8")
    header = ",".join(f"pixel{i}" for i in range(784))
    rows = [",".join(map(str, image)) for image in X_test[:7]]
    test_csv = tmp_path / "test.csv"
    test_csv.write_text(header + "\n" + "\n".join(rows) + "\n")
    expected = dn.load_model(mnist_model).predict(X_test[:7])

    submission = tmp_path / "submission.csv"
    assert main(["predict", str(mnist_model), str(test_csv), "--out", str(submission)]) == 0
    assert "wrote 7 predictions" in capsys.readouterr().out
    lines = submission.read_text().splitlines()
    assert lines[0] == "ImageId,Label"
    assert lines[1:] == [f"{i},{d}" for i, d in enumerate(expected, 1)]

    assert main(["predict", str(mnist_model), str(test_csv)]) == 0  # without --out: printed
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 7 and printed[0].startswith(f"{test_csv} row 1: ")

    labelled = tmp_path / "train.csv"  # a label column is ignored
    labelled.write_text("label," + header + "\n" + "\n".join("5," + r for r in rows) + "\n")
    assert main(["predict", str(mnist_model), str(labelled), "--out", str(submission)]) == 0
    assert submission.read_text().splitlines()[1:] == lines[1:]


def test_predict_refuses_out_without_one_csv_and_decompression_bombs(
    mnist_model, tmp_path, capsys
):
    render(7).save(tmp_path / "seven.png")
    args = ["predict", str(mnist_model), str(tmp_path / "seven.png"), "--out", "s.csv"]
    assert main(args) == 2
    assert "--out writes a Kaggle submission" in capsys.readouterr().err
    bomb = tmp_path / "bomb.png"  # a 10 KB file that declares 50,000 x 50,000 pixels
    bomb.write_bytes(_png_header_claiming(50_000, 50_000))
    assert main(["predict", str(mnist_model), str(bomb)]) == 2
    err = capsys.readouterr().err
    assert "far too large" in err and err.count("\n") == 1


def _png_header_claiming(width: int, height: int) -> bytes:
    """A grayscale PNG whose header declares width x height, with a little compressed data."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * 100_000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_a_csv_without_its_header_row_is_refused(mnist_model, tmp_path, capsys):
    (_, _), (X_test, _) = dn.load_mnist(dtype="uint8")
    headless = tmp_path / "noheader.csv"
    headless.write_text("\n".join(",".join(map(str, image)) for image in X_test[:5]) + "\n")
    assert (
        main(["predict", str(mnist_model), str(headless), "--out", str(tmp_path / "s.csv")]) == 2
    )
    err = capsys.readouterr().err
    assert "no header row" in err and err.count("\n") == 1
    assert not (tmp_path / "s.csv").exists()


def _number_picture(path, text="2026"):
    """A PNG of `text` written with the pen of tests/strokes.py, 100 px per digit."""
    from PIL import ImageDraw
    from strokes import STROKES

    canvas = Image.new("L", (60 + 140 * len(text), 220), 255)
    draw = ImageDraw.Draw(canvas)
    for i, char in enumerate(text):
        for stroke in STROKES[int(char)]:
            draw.line([(40 + 140 * i + x, 50 + y) for x, y in stroke], fill=0, width=9)
    canvas.save(path)
    return str(path)


def test_a_number_is_read_whole_and_shown_with_its_boxes(mnist_model, tmp_path, capsys):
    name = _number_picture(tmp_path / "year.png")
    assert main(["predict", str(mnist_model), name, "--show-input", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"{name}: 2026   (2: " in out
    seen = Image.open(tmp_path / "year.seen.png")
    assert seen.width >= 4 * 84 and seen.height > 84  # the writing above, four 84x84 inputs
    assert main(["predict", str(mnist_model), name, "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["number"] == "2026" and len(result["digits"]) == 4
    assert [d["digit"] for d in result["digits"]] == [2, 0, 2, 6]
    assert all(len(d["box"]) == 4 and len(d["probabilities"]) == 10 for d in result["digits"])
    assert "digit" not in result  # several digits: no single-digit answer


def test_digit_flag_reads_one_digit_per_picture(mnist_model, tmp_path, capsys):
    name = _number_picture(tmp_path / "year.png")
    assert main(["predict", str(mnist_model), name, "--digit", "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert set(result) == {"file", "digit", "confidence", "sure", "probabilities"}


def test_one_unreadable_picture_does_not_stop_the_others(mnist_model, tmp_path, capsys):
    good = _number_picture(tmp_path / "seventeen.png", "17")
    blank = tmp_path / "blank.png"
    Image.new("L", (100, 100), 255).save(blank)
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("not a picture")
    code = main(["predict", str(mnist_model), str(blank), good, str(not_an_image)])
    captured = capsys.readouterr()
    assert code == 2
    assert f"{good}: 17   (" in captured.out
    errors = captured.err.strip().splitlines()
    assert len(errors) == 3 and "blank.png: no ink found" in errors[0]
    assert "notes.png: not an image" in errors[1]
    assert errors[2] == "digitnet: 2 of 3 pictures could not be read"
