"""Augmentation (random affine and elastic distortions of every batch), and dropout, until the
layer tests take it."""

import numpy as np
import pytest

import digitnet as dn
from digitnet.data.augment import AUGMENTATIONS, Augmentation, augment_batch, bilinear_sample
from digitnet.errors import DigitnetError
from digitnet.nn.dropout import Dropout

NONE = Augmentation(shift=0, rotate=0, scale=0, shear=0, elastic_alpha=0)


def digits(n=6):
    (_, _), (X_test, _) = dn.load_mnist()
    return X_test[:n]


def test_bilinear_sampling_by_hand():
    image = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    rows = np.full((1, 4, 4), 1.5, dtype=np.float32)
    cols = np.full((1, 4, 4), 0.25, dtype=np.float32)
    # halfway between rows 1 and 2, a quarter from column 0 to 1: 0.5*(4.25 + 8.25) = 6.25
    np.testing.assert_allclose(bilinear_sample(image, rows, cols), 6.25)
    far = np.full((1, 4, 4), -5.0, dtype=np.float32)
    np.testing.assert_array_equal(bilinear_sample(image, far, far), 0)  # outside reads zeros


def test_no_distortion_is_the_identity_and_integer_shift_moves_pixels():
    x = digits()
    rng = np.random.default_rng(0)
    np.testing.assert_allclose(augment_batch(x, rng, NONE), x, atol=1e-6)
    shift = Augmentation(shift=1e-9, rotate=0, scale=0, shear=0, elastic_alpha=0)
    np.testing.assert_allclose(augment_batch(x, rng, shift), x, atol=1e-6)


def test_distortions_change_images_but_keep_them_digit_like():
    x = digits(32)
    for settings in AUGMENTATIONS.values():
        out = augment_batch(x, np.random.default_rng(1), settings)
        assert out.shape == x.shape and out.dtype == np.float32
        assert 0 <= out.min() and out.max() <= 1
        change = np.abs(out - x).mean()
        assert 0.01 < change < 0.2  # moved, but no more than a hand would move it
        assert abs(out.sum() / x.sum() - 1) < 0.25  # ink is neither created nor lost much
    again = augment_batch(x, np.random.default_rng(1), AUGMENTATIONS["elastic"])
    elastic = AUGMENTATIONS["elastic"]
    assert np.array_equal(again, augment_batch(x, np.random.default_rng(1), elastic))


def test_augmentation_settings_are_checked():
    with pytest.raises(DigitnetError, match="sigma"):
        Augmentation(elastic_sigma=0)
    with pytest.raises(DigitnetError, match="rotate"):
        Augmentation(rotate=-1)


def test_dropout_drops_scales_and_backpropagates_through_the_same_mask():
    layer = Dropout(0.25)
    layer.build(np.random.default_rng(0), "float32")
    x = np.ones((200, 50), dtype=np.float32)
    y = layer.forward(x, training=True)
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.75)  # inverted: survivors scaled up
    grad = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    np.testing.assert_allclose(layer.backward(grad), grad * y)  # same mask, same scale
    np.testing.assert_array_equal(layer.forward(x, training=False), x)  # off at evaluation


def test_a_dropout_model_saves_in_the_usual_format(tmp_path):
    model = dn.MLP([784, 32, 16, 10], seed=0, dropout=0.3, input_dropout=0.1)
    assert sum(isinstance(layer, Dropout) for layer in model.layers) == 3
    model.save(tmp_path / "m.npz")
    loaded = dn.load_model(tmp_path / "m.npz")
    x = digits()
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))
    with np.load(tmp_path / "m.npz") as archive:
        assert sorted(archive.files) == ["1.W", "1.b", "4.W", "4.b", "7.W", "7.b", "meta"]


def test_bilinear_sample_reads_zeros_outside_the_image():
    """Interpolated up to the edge, 0 beyond: as scipy.ndimage.map_coordinates(order=1,
    mode="grid-constant"), also for points more than a pixel outside (CHANGELOG 0.3.0)."""
    from scipy.ndimage import map_coordinates

    rng = np.random.default_rng(0)
    images = rng.random((3, 28, 28)).astype(np.float32)  # ink everywhere, borders included
    rows = rng.uniform(-6, 34, (3, 28, 28))
    cols = rng.uniform(-6, 34, (3, 28, 28))
    index = np.broadcast_to(np.arange(3.0)[:, None, None], rows.shape)
    expected = map_coordinates(
        images, np.stack([index, rows, cols]), order=1, mode="grid-constant", cval=0.0
    )
    np.testing.assert_allclose(bilinear_sample(images, rows, cols), expected, atol=1e-6)
    far = (rows < -1) | (rows > 28) | (cols < -1) | (cols > 28)
    assert far.any() and (bilinear_sample(images, rows, cols)[far] == 0).all()
