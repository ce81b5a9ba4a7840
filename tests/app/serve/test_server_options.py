"""GET /api/options: what the page's Train panel offers, read from training/settings.py (the
presets and their settings, the defaults with the page's own epochs, the choices), so that the
page copies none of them."""

import pytest
from test_server_live import call, serving_session

import digitnet as dn
from digitnet.app.serve.session import LiveSession
from digitnet.data.datasets import DataSplits
from digitnet.data.preprocess import MIN_DIGIT
from digitnet.training.settings import CHOICES, DEFAULTS, PAGE_EPOCHS, PRESETS


@pytest.fixture(scope="module")
def address(tmp_path_factory):
    (X, y), (Xt, yt) = dn.load_mnist(dtype="uint8")
    data = DataSplits(X[:2500], y[:2500], Xt[:500], yt[:500], "test", "bundled MNIST")
    session = LiveSession(dn.MLP(seed=0), data, tmp_path_factory.mktemp("options"))
    with serving_session(session) as address:
        yield address


def test_options_are_the_settings_of_settings_py(address):
    status, options = call(address, "GET", "/api/options")
    assert status == 200
    assert list(options["presets"]) == list(PRESETS)  # in their order
    assert options["presets"] == PRESETS
    assert options["defaults"] == {**DEFAULTS, "epochs": PAGE_EPOCHS}
    assert options["defaults"]["epochs"] == PAGE_EPOCHS != DEFAULTS["epochs"]
    assert options["choices"] == {key: list(names) for key, names in CHOICES.items()}
    assert options["training_images"] == 2500  # the session's training set: the limit's most
    assert options["drawing"] == {"min_digit": MIN_DIGIT}  # below this a drawing is a speck


def test_options_are_read_only(address):
    status, answer = call(address, "POST", "/api/options", {})
    assert status == 405 and "not served" in answer["error"]
