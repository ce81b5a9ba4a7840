"""The number pad's server side: POST /api/read-number reads a line of digits (MNIST test
digits written side by side, as the wide pad sends them), refuses what /predict refuses (with
wider limits), and POST /api/teach teaches a digit of the number from its 28x28 input."""

import json

import numpy as np
import pytest
from test_server import request, serving
from test_server_live import call, serving_session

import digitnet as dn
from digitnet.app.serve.session import LiveSession
from digitnet.data.datasets import DataSplits, load_csv
from digitnet.reading import read_number

PAGE = (140, 420)  # the wide pad's picture as the page sends it: height, width
NUMBER_IDS = ("number-pad", "number-clear", "number-boxes", "number-reading", "number-status")


@pytest.fixture(scope="module")
def model(mnist_model):
    return dn.load_model(mnist_model)


@pytest.fixture(scope="module")
def server(mnist_model):
    with serving(mnist_model) as address:
        yield address


@pytest.fixture(scope="module")
def test_digits(model):
    """Per digit, MNIST test images (28x28 in [0, 1]) that the model reads right on their own
    with probability 0.95 at least: the number's reading, not the digits, is under test."""
    _, (X, y) = dn.load_mnist()
    probs = model.predict_proba(X[:2000])
    clear = (probs.argmax(axis=1) == y[:2000]) & (probs.max(axis=1) >= 0.95)
    return {d: X[:2000][clear & (y[:2000] == d)].reshape(-1, 28, 28) for d in range(10)}


def write_number(text, test_digits, shape=PAGE, gap=0.12):
    """The digits of `text` side by side on a black picture of `shape`, ink bright, each an
    MNIST test digit (the next one of its kind) scaled so that its ink is 45% of the picture's
    height, `gap` of a digit's 28x28 square between the squares (and MNIST's margins between
    the ink): the picture, and each square's columns (left, right)."""
    height, width = shape
    scale = round(0.45 * height / 20)  # MNIST's ink is 20 of the 28 pixels
    side, space = 28 * scale, round(gap * 28 * scale)
    picture = np.zeros(shape, dtype=np.float32)
    left = (width - len(text) * (side + space) + space) // 2
    top = (height - side) // 2
    squares = []
    for position, char in enumerate(text):
        digit = test_digits[int(char)][text[:position].count(char)]
        picture[top : top + side, left : left + side] = np.kron(digit, np.ones((scale, scale)))
        squares.append((left, left + side))
        left += side + space
    assert squares[-1][1] <= width, "the number does not fit"
    return picture.round(2), squares


def post(address, body, path="/api/read-number"):
    """(status, JSON answer) of a POST whose body is JSON (or bytes, sent as they are)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, _, answer = request(address, "POST", path, data, {"Content-Type": "application/json"})
    return status, json.loads(answer)


@pytest.mark.parametrize(("text", "shape"), [("42", PAGE), ("719", PAGE), ("2026", (280, 840))])
def test_a_written_number_is_read_left_to_right_with_a_box_per_digit(
    server, model, test_digits, text, shape
):
    """The answer is read_number's (NumberReading.to_dict) for the picture: the right number,
    one box per digit, left to right, each over its digit's square, and each digit's 28x28
    input (to 3 decimals) with its probabilities."""
    picture, squares = write_number(text, test_digits, shape)
    status, answer = post(server, {"image": picture.tolist()})
    assert status == 200, answer
    assert answer["number"] == text and answer["sure"] is True
    digits = answer["digits"]
    assert [d["digit"] for d in digits] == [int(c) for c in text]
    lefts = [d["box"][0] for d in digits]
    assert lefts == sorted(lefts)
    for digit, (left, right) in zip(digits, squares):
        x, y, w, h = digit["box"]
        assert left <= x and x + w <= right  # inside its own digit's square
        assert 0 <= y and y + h <= shape[0] and w > 0 and h > 0
        assert sum(digit["probabilities"]) == pytest.approx(1.0, abs=1e-6)
        assert digit["confidence"] == max(digit["probabilities"])
        assert np.asarray(digit["input"]).shape == (28, 28)
    reading = read_number(model, picture)
    expected = reading.to_dict()
    assert [d["box"] for d in digits] == [d["box"] for d in expected["digits"]]
    for digit, read in zip(digits, reading.digits):
        np.testing.assert_allclose(digit["input"], np.round(read.field, 3), atol=1e-6)
        np.testing.assert_allclose(digit["probabilities"], read.probabilities, atol=1e-6)


def test_a_blank_pad_gets_a_one_line_400(server):
    status, answer = post(server, {"image": np.zeros(PAGE).tolist()})
    assert status == 400
    assert "no ink" in answer["error"] and "\n" not in answer["error"]


def test_two_lines_of_writing_get_a_one_line_400(server, test_digits):
    """Two digits one above the other are not a number: read_number's reason, as a 400."""
    line, _ = write_number("42", test_digits, (70, 420))
    status, answer = post(server, {"image": np.concatenate([line, line[:, ::-1]]).tolist()})
    assert status == 400 and "line" in answer["error"] and "\n" not in answer["error"]


WIDE = "the width must be between 8 and 1680, the height between 8 and 560"


@pytest.mark.parametrize(
    "body, message",
    [
        (b"{not json", "not valid JSON"),
        (b'{"img": []}', "expected a JSON object"),
        (b'{"image": "x"}', "must be a list of rows"),
        (json.dumps({"image": [[0] * 1681] * 100}).encode(), f"is 1681x100; {WIDE}"),
        (json.dumps({"image": [[0] * 100] * 561}).encode(), f"is 100x561; {WIDE}"),
        (json.dumps({"image": [[0] * 7] * 100}).encode(), f"is 7x100; {WIDE}"),
        (json.dumps({"image": [[0.0] * 20] * 9 + [[0.0] * 19]}).encode(), "same length"),
        (json.dumps({"image": [[2.0] * 20] * 10}).encode(), "in [0, 1]"),
        (json.dumps({"image": [[float("nan")] * 20] * 10}).encode(), "in [0, 1]"),
        (json.dumps({"image": [["x"] * 20] * 10}).encode(), "must be numbers"),
        (json.dumps({"image": [[True] * 20] * 10}).encode(), "must be numbers"),
    ],
)
def test_malformed_or_too_large_images_are_400_with_the_reason(server, body, message):
    status, answer = post(server, body)
    assert status == 400 and message in answer["error"]


def test_the_wide_limits_are_the_number_pads_only(server):
    """An image wider than 560 is a line for /api/read-number (1680x560 at most), but too
    large for /predict, which keeps its limits."""
    blank = np.zeros((560, 1680), dtype=np.int64).tolist()  # ints: a short JSON body
    assert post(server, {"image": blank}) == (
        400,
        {"error": "image: no ink found (a blank page?)"},
    )
    status, answer = post(server, {"image": [[0] * 600] * 140}, "/predict")
    assert status == 400 and "each side must be between 8 and 560" in answer["error"]


def test_a_body_over_4_mb_is_413_and_other_sites_are_refused(server):
    headers = {"Content-Length": str(50 * 1024 * 1024), "Content-Type": "application/json"}
    assert request(server, "POST", "/api/read-number", b"{}", headers)[0] == 413
    headers = {"Origin": "http://evil.example", "Content-Type": "application/json"}
    status, _, answer = request(server, "POST", "/api/read-number", b"{}", headers)
    assert status == 403 and "refused" in json.loads(answer)["error"]


def test_the_page_has_the_number_pad(server):
    _, _, page = request(server, "GET", "/")
    for name in (*NUMBER_IDS, "number-digits", "number-panel", "teach-source"):
        assert f'id="{name}"'.encode() in page, name


@pytest.fixture
def teaching(model, tmp_path):
    """A server on a session of the trained model (3,000 training and 1,000 test images),
    saving into tmp_path: its address."""
    (X, y), (Xt, yt) = dn.load_mnist(dtype="uint8")
    data = DataSplits(X[:3000], y[:3000], Xt[:1000], yt[:1000], "test", "bundled MNIST")
    with serving_session(LiveSession(model.copy(), data, tmp_path)) as address:
        yield address


def test_a_digit_of_the_number_is_taught_from_its_28x28_input(teaching, test_digits, tmp_path):
    """POST /api/teach {"field", "label"} teaches the input the number's digit became, as it
    is: the network read it before as the reading said, and the taught CSV keeps it."""
    picture, _ = write_number("719", test_digits)
    status, answer = post(teaching, {"image": picture.tolist()})
    assert status == 200 and answer["number"] == "719"
    digit = answer["digits"][1]
    status, taught = call(teaching, "POST", "/api/teach", {"field": digit["input"], "label": 1})
    assert status == 200, taught
    np.testing.assert_allclose(taught["before"], digit["probabilities"], atol=1e-3)
    assert np.argmax(taught["after"]) == 1 and taught["taught"] == 1
    images, labels = load_csv(tmp_path / "taught.csv", "uint8")
    assert labels.tolist() == [1]
    np.testing.assert_allclose(images[0] / 255, np.ravel(digit["input"]), atol=0.5 / 255 + 1e-9)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"field": [[0.5] * 28] * 27, "label": 3}, '"field" is 28x27; it must be 28x28'),
        ({"field": [[0.5] * 28] * 28, "image": [[0.5] * 28] * 28, "label": 3}, "not both"),
        ({"field": [[0] * 28] * 28, "label": 3}, '"field" has no ink'),
        ({"field": [[2] * 28] * 28, "label": 3}, '"field" values must be in [0, 1]'),
        ({"field": "x", "label": 3}, '"field" must be a list of rows'),
        ({"field": [[0.5] * 28] * 28, "label": 11}, '"label" must be a class number 0-9'),
    ],
)
def test_bad_fields_to_teach_get_400(teaching, body, reason):
    status, answer = call(teaching, "POST", "/api/teach", body)
    assert status == 400 and reason in answer["error"]
