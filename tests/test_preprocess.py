"""MNIST-style preprocessing of any picture: polarity, cropping, scaling, centring, errors."""

import numpy as np
import pytest
from PIL import Image
from strokes import render

import digitnet as dn
from digitnet.errors import DigitnetError
from digitnet.preprocess import load_image, to_mnist


def gray(image) -> np.ndarray:
    return np.asarray(image, dtype=np.float32) / 255


def test_output_is_mnist_like_light_ink_cropped_scaled_and_centred():
    field = to_mnist(gray(render(7, size=150, offset=(100, 40), canvas=(400, 260))))
    assert field.shape == (28, 28) and field.dtype == np.float32
    assert field.min() >= 0 and field.max() == pytest.approx(1.0, abs=0.05)
    rows, cols = np.nonzero(field > 0.25)
    longest = max(rows.max() - rows.min(), cols.max() - cols.min()) + 1
    assert 18 <= longest <= 21  # scaled so that its longest side is 20 pixels
    r, c = np.indices(field.shape)
    assert abs((r * field).sum() / field.sum() - 14) < 0.75  # centre of mass at (14, 14)
    assert abs((c * field).sum() / field.sum() - 14) < 0.75
    assert field[0].max() < 0.05 and field[:, 0].max() < 0.05  # dark border, like MNIST


def test_polarity_does_not_matter():
    dark_ink = to_mnist(gray(render(3, dark_on_light=True)))
    light_ink = to_mnist(gray(render(3, dark_on_light=False)))
    np.testing.assert_allclose(dark_ink, light_ink, atol=1e-5)


def test_position_size_and_margins_do_not_matter():
    small = to_mnist(gray(render(5, size=80, offset=(10, 10), canvas=(500, 400), width=6)))
    large = to_mnist(gray(render(5, size=240, offset=(200, 120), canvas=(500, 400), width=18)))
    assert np.abs(small - large).mean() < 0.05


def test_an_mnist_digit_comes_back_almost_unchanged():
    (_, _), (X_test, _) = dn.load_mnist()
    digit = X_test[0].reshape(28, 28)
    big = np.kron(digit, np.ones((5, 5), dtype=np.float32))  # 140x140, same digit
    assert np.corrcoef(to_mnist(big).ravel(), digit.ravel())[0, 1] > 0.98


@pytest.mark.parametrize(
    "array, message",
    [
        (np.ones((50, 50)), "no ink"),
        (np.zeros((50, 50)), "no ink"),
        (np.ones((1, 1)), "too small"),
        (np.ones((5, 40)), "too small"),
        (np.ones((10, 10, 4)), "2-D"),
        (np.full((20, 20), np.nan), "NaN"),
    ],
)
def test_bad_pictures_are_refused(array, message):
    with pytest.raises(DigitnetError, match=message):
        to_mnist(array)


def test_loading_files(tmp_path):
    render(4).save(tmp_path / "four.jpg")
    rgba = Image.new("RGBA", (60, 60), (0, 0, 0, 0))  # transparent page: counts as white
    rgba.paste((0, 0, 0, 255), (25, 10, 35, 50))
    rgba.save(tmp_path / "transparent.png")
    (tmp_path / "text.png").write_text("not an image")
    (tmp_path / "empty.png").write_bytes(b"")
    assert load_image(tmp_path / "four.jpg").shape == (240, 300, 3)
    transparent = load_image(tmp_path / "transparent.png")
    assert (transparent[0, 0] == 1.0).all() and (transparent[30, 30] == 0.0).all()
    for name in ("text.png", "empty.png"):
        with pytest.raises(DigitnetError, match="not an image"):
            load_image(tmp_path / name)
    with pytest.raises(DigitnetError, match="not found"):
        load_image(tmp_path / "missing.png")
