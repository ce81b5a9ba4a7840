"""Reading whole numbers (digitnet.reading): numbers written with a pen and made of MNIST test
digits read digit by digit with boxes where the digits are; pieces of one digit kept together,
touching strokes cut along the gap, specks left out; one digit read exactly as to_mnist reads it;
small writing on a large photo; bad input refused in one line."""

import numpy as np
import pytest
from number_pictures import compose, number_photo, phone_photo
from PIL import Image, ImageDraw
from strokes import STROKES

import digitnet as dn
from digitnet.data.ink import ink_map
from digitnet.data.preprocess import picture_array, to_mnist
from digitnet.errors import DigitnetError
from digitnet.reading import read_number
from digitnet.reading.segment import cut_path, find_units


def write(text, size=100, gap=40, canvas_height=220, strokes=None, width=9) -> np.ndarray:
    """A picture (float, black ink on white) of `text` written with tests/strokes.py's pen;
    a space is a digit's width of paper; `strokes` replaces a digit's strokes."""
    canvas = Image.new("L", (60 + len(text) * (size + gap), canvas_height), 255)
    draw = ImageDraw.Draw(canvas)
    x = 40
    for char in text:
        if char != " ":
            for stroke in (strokes or {}).get(char, STROKES[int(char)]):
                points = [(x + px * size / 100, 50 + py * size / 100) for px, py in stroke]
                draw.line(points, fill=0, width=width, joint="curve")
                for px, py in (points[0], points[-1]):
                    draw.ellipse([px - width / 2, py - width / 2, px + width / 2, py + width / 2])
        x += size + gap
    return np.asarray(canvas, dtype=np.float32) / 255


@pytest.fixture(scope="module")
def model(mnist_model):
    return dn.load_model(mnist_model)


def confident_test_digits(model, count, seed=0):
    """Indices of MNIST test digits the model reads right with at least 99%."""
    (_, _), (X_test, y_test) = dn.load_mnist()
    probs = model.predict_proba(X_test[:2000])
    good = np.flatnonzero((probs.argmax(1) == y_test[:2000]) & (probs.max(1) > 0.99))
    return np.random.default_rng(seed).choice(good, count, replace=False), X_test, y_test


def test_a_number_written_with_a_pen_reads_digit_by_digit_left_to_right(model):
    reading = read_number(model, write("2026"))
    assert reading.text == "2026"
    lefts = [d.box[0] for d in reading.digits]
    assert lefts == sorted(lefts)
    for i, digit in enumerate(reading.digits):  # each box holds its digit's ink: 100 px wide
        x, y, w, h = digit.box
        assert 40 + i * 140 - 10 <= x and x + w <= 40 + i * 140 + 110, digit.box
        assert 40 <= y and 90 <= h <= 115, digit.box
        assert digit.field.shape == (28, 28) and len(digit.probabilities) == 10


def test_numbers_of_mnist_test_digits_have_their_boxes_found(model):
    index, X_test, y_test = confident_test_digits(model, 12)
    rng = np.random.default_rng(1)
    for group in index.reshape(4, 3):
        page, boxes = compose(X_test[group].reshape(-1, 28, 28), rng, "wide")
        reading = read_number(model, picture_array(number_photo(page, rng)))
        assert reading.text == "".join(str(d) for d in y_test[group])
        for found, (x, y, w, h) in zip(reading.digits, boxes):
            fx, fy, fw, fh = found.box
            overlap_x = min(fx + fw, x + w) - max(fx, x)
            overlap_y = min(fy + fh, y + h) - max(fy, y)
            assert overlap_x * overlap_y > 0.6 * w * h, (found.box, (x, y, w, h))


def test_pieces_of_one_digit_read_as_one_digit(model):
    broken_four = {
        "4": [[(58, 8), (18, 62), (82, 62)], [(62, 30), (62, 50)], [(62, 72), (62, 94)]]
    }
    reading = read_number(model, write("141", strokes=broken_four))
    assert reading.text == "141"


def test_specks_between_digits_are_not_digits(model):
    picture = write("1 7")
    picture[140:146, 160:166] = 0.0  # a dot of ink between them (6 px: a pen's width)
    picture[60:64, 200:204] = 0.0
    assert read_number(model, picture).text == "17"


def test_a_cut_follows_the_gap_between_slanted_touching_strokes():
    mask = np.zeros((60, 40), dtype=bool)
    for row in range(60):  # two strokes slanting the same way, 8 px apart
        mask[row, row // 4 : row // 4 + 4] = True
        mask[row, row // 4 + 12 : row // 4 + 16] = True
    mask[30, :] = True  # a bridge where they touch, one pixel thick
    path = cut_path(mask, 14, drift=10)
    assert mask[np.arange(60), path].sum() == 1  # only through the bridge


def test_touching_digits_are_cut_apart(model):
    # a 1 and a 0 whose strokes meet: one stroke of ink, read as two digits
    picture = write("10", gap=-12)
    found = ink_map(picture, edges="nearest")
    assert len({u.stroke for u in find_units(found, "x").units}) == 1  # one connected stroke
    assert read_number(model, write("710", gap=-12)).text == "710"


def test_one_digit_reads_exactly_as_to_mnist_reads_it(model):
    index, X_test, _ = confident_test_digits(model, 5, seed=2)
    rng = np.random.default_rng(3)
    for i in index:
        page, _ = compose(X_test[i].reshape(1, 28, 28), rng, "wide")
        picture = picture_array(number_photo(page, rng, ("gradient", "noise")))
        reading = read_number(model, picture)
        assert len(reading.digits) == 1
        np.testing.assert_array_equal(reading.digits[0].field, to_mnist(picture))


def test_small_writing_on_a_large_photo_is_cut_from_the_original(model, tmp_path):
    index, X_test, y_test = confident_test_digits(model, 3, seed=4)
    rng = np.random.default_rng(5)
    page, _ = compose(X_test[index].reshape(-1, 28, 28), rng, "wide", height=40)
    path = tmp_path / "photo.jpg"
    phone_photo(page, rng, size=(1512, 2016)).save(path, quality=90)
    reading = read_number(model, path)
    assert reading.text == "".join(str(d) for d in y_test[index])
    assert all(30 <= d.box[3] <= 50 for d in reading.digits)  # boxes in the photo's pixels


def test_small_writing_read_from_a_file_has_its_boxes_in_the_files_pixels(model, tmp_path):
    # a long line, so that the region cut from the original is itself reduced when it is read
    index, X_test, _ = confident_test_digits(model, 7, seed=6)
    rng = np.random.default_rng(7)
    page, _ = compose(X_test[index].reshape(-1, 28, 28), rng, "wide", height=45)
    photo = phone_photo(page, rng, size=(1512, 2016))
    path = tmp_path / "photo.png"
    photo.save(path)
    from_file = read_number(model, path)
    in_memory = read_number(model, np.asarray(photo, dtype=np.float32) / 255)
    assert len(from_file.digits) == len(in_memory.digits) == 7
    for a, b in zip(from_file.digits, in_memory.digits):
        assert np.abs(np.subtract(a.box, b.box)).max() <= 4, (a.box, b.box)


def test_a_dash_is_not_cut_into_digits(model):
    picture = np.zeros((60, 120), dtype=np.float32)
    picture[28:33, 20:100] = 1.0
    reading = read_number(model, picture)
    assert len(reading.digits) == 1


@pytest.mark.parametrize(
    "picture, message",
    [
        (np.ones((200, 300), dtype=np.float32), "no ink found"),
        (np.vstack([write("12"), write("34")]), "2 lines of writing"),
        (write("1" * 24, size=40, gap=16), "more than a number of 20 digits"),
    ],
)
def test_bad_pictures_are_refused_in_one_line(model, picture, message):
    with pytest.raises(DigitnetError, match=message):
        read_number(model, picture)


def test_a_model_of_other_inputs_is_refused():
    other = dn.MLP([64, 16, 10], seed=0)
    with pytest.raises(DigitnetError, match="28x28 images and 10 digits"):
        read_number(other, write("1"))
