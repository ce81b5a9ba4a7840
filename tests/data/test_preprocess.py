"""MNIST-style preprocessing of any picture: polarity, cropping, scaling, centring, errors."""

import numpy as np
import pytest
from photos import photograph
from PIL import Image
from strokes import render

import digitnet as dn
from digitnet.data.ink import find_ink, otsu_threshold
from digitnet.data.preprocess import load_image, picture_array, to_mnist
from digitnet.errors import DigitnetError


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


def test_a_shadow_and_uneven_light_do_not_move_the_digit():
    """A 7 with a shaded corner was read as a 5: the shadow counted as ink."""
    (_, _), (X_test, _) = dn.load_mnist()
    digit = X_test[0].reshape(28, 28)
    clean = to_mnist(picture_array(photograph(digit, np.random.default_rng(1), ())))
    for seed in (0, 2, 3, 4):  # grayscale with the border's brightness taken off: 0.10-0.44
        rng = np.random.default_rng(seed)
        shaded = to_mnist(picture_array(photograph(digit, rng, ("shadow", "gradient", "noise"))))
        assert np.corrcoef(shaded.ravel(), clean.ravel())[0, 1] > 0.75


def test_coloured_ink_counts_as_ink():
    """Red ink on grey paper of the same brightness: invisible in grayscale, not in colour."""
    picture = np.full((120, 100, 3), [170, 170, 170], dtype=np.float32)
    stroke = np.asarray(render(1, size=90, offset=(5, 15), canvas=(100, 120), width=10)) < 128
    picture[stroke] = [255, 122, 122]
    assert abs(picture[stroke][0] @ [0.299, 0.587, 0.114] - 170) < 10  # same brightness
    field = to_mnist(picture / 255)
    rows, cols = np.nonzero(field > 0.5)
    assert rows.max() - rows.min() >= 17 and cols.max() - cols.min() <= 10  # a tall stroke


def test_specks_and_page_edges_are_not_the_digit():
    page = np.ones((300, 300), dtype=np.float32)
    page[:, :12] = 0.2  # the dark table beside the paper's edge
    page[40:44, 250:254] = 0.0  # a speck of dirt
    page[80:220, 140:156] = 0.0  # the digit: a 1
    field = to_mnist(page)
    rows, cols = np.nonzero(field > 0.5)
    assert rows.max() - rows.min() >= 18 and cols.max() - cols.min() <= 5
    assert abs(cols.mean() - 14) < 1.5  # centred: neither the edge nor the speck pulled it


def test_huge_pictures_are_reduced_before_processing():
    big = np.ones((3000, 4000), dtype=np.float32)
    big[600:2400, 1800:2100] = 0.0
    assert find_ink(big).shape == (384, 512)
    assert to_mnist(big).max() == pytest.approx(1.0, abs=0.05)


def test_otsu_threshold_splits_two_clusters():
    values = np.concatenate([np.full(900, 0.1), np.full(100, 0.8)])
    assert 0.1 <= otsu_threshold(values) < 0.8


def test_dim_paper_and_a_desk_around_the_page_are_still_a_light_page():
    """A dark, even border is not always a drawing's black: an underexposed photo, or the desk
    all around a sheet of paper."""
    (_, _), (X_test, _) = dn.load_mnist()
    digit = X_test[0].reshape(28, 28)
    clean = to_mnist(picture_array(photograph(digit, np.random.default_rng(1), ())))
    photo = picture_array(photograph(digit, np.random.default_rng(1), ()))
    on_desk = np.full((photo.shape[0] + 120, photo.shape[1] + 120, 3), 0.25, dtype=np.float32)
    on_desk[60:-60, 60:-60] = photo
    for picture in (photo * 0.45, on_desk):
        assert np.corrcoef(to_mnist(picture).ravel(), clean.ravel())[0, 1] > 0.9


def test_blank_photos_and_specks_are_not_digits():
    rng = np.random.default_rng(0)
    for conditions in (("shadow",), ("gradient", "noise"), ("tinted paper", "shadow", "jpeg")):
        blank = picture_array(photograph(np.zeros((28, 28), np.float32), rng, conditions))
        with pytest.raises(DigitnetError, match="no ink found|no digit found"):
            to_mnist(blank)
    speck = np.ones((64, 64), dtype=np.float32)
    speck[30, 30] = 0.0
    with pytest.raises(DigitnetError, match="speck"):
        to_mnist(speck)


def test_16_bit_images_keep_their_grey_levels(tmp_path):
    stroke = np.asarray(render(1, size=80, offset=(10, 10), canvas=(100, 100)), dtype=np.uint16)
    Image.fromarray(stroke * 257).save(tmp_path / "deep.png")  # 0..65535: a 16-bit PNG
    with Image.open(tmp_path / "deep.png") as image:
        assert image.mode.startswith("I")
    np.testing.assert_allclose(load_image(tmp_path / "deep.png"), stroke / 255, atol=1e-3)


def test_too_small_is_said_with_the_files_own_size(tmp_path):
    Image.new("L", (3000, 6), 255).save(tmp_path / "strip.png")
    with pytest.raises(DigitnetError, match="3000x6 pixels is too small"):
        load_image(tmp_path / "strip.png")
