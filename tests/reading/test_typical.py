"""How unlike MNIST's digits a field is (digitnet.reading.typical): subspace iteration finds the
subspace an exact SVD finds; test digits are usual for their digit, two digits squeezed into one
field or a filled square are not; touching numbers read better with it than without."""

import numpy as np
from number_pictures import compose, number_photo

import digitnet as dn
from digitnet.data.preprocess import mnist_field, picture_array
from digitnet.reading import number, read_number
from digitnet.reading.typical import _residuals, atypical, principal_directions


def test_subspace_iteration_leaves_the_residuals_an_exact_svd_leaves():
    (X, y), _ = dn.load_mnist()
    own = X[50_000:][y[50_000:] == 8]
    centred = own - own.mean(axis=0)
    exact = np.linalg.svd(centred.astype(np.float64), full_matrices=False)[2][:20].T
    fast = principal_directions(centred, 20)
    assert np.allclose(fast.T @ fast, np.eye(20), atol=1e-4)  # orthonormal
    ratio = _residuals(centred, fast).mean() / _residuals(centred, exact).mean()
    assert 1.0 - 1e-4 <= ratio < 1.01, ratio  # the best subspace leaves the least


def test_test_digits_are_usual_for_their_digit_and_other_ink_is_not():
    _, (X, y) = dn.load_mnist()
    images = X[:400].reshape(-1, 28, 28)
    singles = np.stack([mnist_field(image) for image in images[:200]]).reshape(200, -1)
    own = atypical(singles)[np.arange(200), y[:200]]
    assert -0.3 < np.median(own) < 0.3, np.median(own)  # 0: the training images' median
    pairs = np.stack(
        [mnist_field(np.concatenate([images[i], images[i + 1]], axis=1)) for i in range(0, 400, 2)]
    ).reshape(200, -1)
    as_first = atypical(pairs)[np.arange(200), y[0:400:2]]
    assert np.median(as_first) > np.median(own) + 0.8  # a digit and its neighbour: not that digit
    square = np.zeros((28, 28))
    square[4:24, 4:24] = 1.0
    assert atypical(square.reshape(1, -1)).min() > 5  # unlike every digit


def test_touching_numbers_read_better_for_how_unlike_each_piece_is(mnist_model, monkeypatch):
    model = dn.load_model(mnist_model)
    (_, _), (X_test, y_test) = dn.load_mnist()
    rng = np.random.default_rng(5)
    cases = []
    for _ in range(40):
        picks = rng.integers(0, 10_000, 4)
        page, _ = compose(X_test[picks].reshape(-1, 28, 28), rng, "touching")
        truth = "".join(map(str, y_test[picks]))
        cases.append((picture_array(number_photo(page, rng, ())), truth))

    def right() -> int:
        return sum(read_number(model, picture).text == truth for picture, truth in cases)

    with_it = right()
    monkeypatch.setattr(number, "UNLIKE_COST", 0.0)
    without = right()
    assert with_it >= without + 4, (with_it, without)
