"""The drawing page's server with a convolutional network: POST /predict answers each conv
layer's feature maps (C lists of H rows of W numbers), as it answers a dense layer's units."""

import json
import threading

import numpy as np
import pytest
from test_server import POLL, drawing, request

import digitnet as dn
from digitnet.app.serve.drawing import predict_image
from digitnet.app.serve.server import make_server
from digitnet.data.preprocess import to_mnist


def cnn(channels=(4, 6), hidden=16) -> dn.Sequential:
    """conv 5x5 -> relu -> pool 2 -> conv 5x5 -> relu -> pool 2 -> dense `hidden` -> relu -> 10."""
    first, second = channels
    layers = [
        dn.Conv2D(1, first, 5, padding=2),
        dn.ReLU(),
        dn.MaxPool2D(2),
        dn.Conv2D(first, second, 5, padding=2),
        dn.ReLU(),
        dn.MaxPool2D(2),
        dn.Flatten(),
        dn.Dense(second * 7 * 7, hidden),
        dn.ReLU(),
        dn.Dense(hidden, 10, init="glorot"),
    ]
    return dn.Sequential(layers, input_shape=(1, 28, 28), seed=0)


def serve(model):
    httpd = make_server(model, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, args=(POLL,), daemon=True).start()
    return httpd


def post(address, image):
    body = json.dumps({"image": image}).encode()
    status, _, data = request(
        address, "POST", "/predict", body, {"Content-Type": "application/json"}
    )
    return status, data


@pytest.fixture(scope="module")
def model():
    return cnn()


@pytest.fixture(scope="module")
def server(model):
    httpd = serve(model)
    yield httpd.server_address
    httpd.shutdown()
    httpd.server_close()


def test_predict_image_gives_each_conv_layers_feature_maps(model):
    image = np.asarray(drawing(3), dtype=np.float32)
    answer = predict_image(model, image)
    x, hidden = to_mnist(image).reshape(1, 1, 28, 28), []
    model.forward(x, activations=hidden)
    shapes = [np.asarray(layer).shape for layer in answer["activations"]]
    assert shapes == [(4, 28, 28), (6, 14, 14), (16,)]
    for sent, values in zip(answer["activations"], hidden):
        decimals = 3 if values.ndim == 4 else 4  # feature maps to 3 decimals, units to 4
        np.testing.assert_array_equal(sent, np.round(values[0].astype(np.float64), decimals))
    assert np.asarray(answer["activations"][0]).max() > 0  # the drawing lights some maps up


def test_predict_over_http_answers_maps_of_the_right_shapes(server, model):
    image = drawing(7)
    status, data = post(server, image)
    assert status == 200
    answer = json.loads(data)
    maps = [np.asarray(layer) for layer in answer["activations"]]
    assert [m.shape for m in maps] == [(4, 28, 28), (6, 14, 14), (16,)]
    assert all(m.min() >= 0 for m in maps)  # ReLU outputs
    field = to_mnist(np.asarray(image, dtype=np.float32))
    probs = model.predict_proba(field.reshape(1, 784))[0]  # flattened rows are fine too
    np.testing.assert_allclose(answer["probabilities"], probs, rtol=1e-4, atol=1e-7)
    assert answer["digit"] == probs.argmax()
    assert b", " not in data  # compact JSON: no spaces after the separators


def test_a_lenet_sized_answer_stays_under_120_kb():
    """16 and 32 channels: 16x28x28 + 32x14x14 = 18,816 numbers (measured 89-97 KB)."""
    httpd = serve(cnn((16, 32), hidden=64))
    try:
        status, data = post(httpd.server_address, drawing(5))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert status == 200
    shapes = [np.asarray(layer).shape for layer in json.loads(data)["activations"]]
    assert shapes == [(16, 28, 28), (32, 14, 14), (64,)]
    assert 30_000 < len(data) < 120_000
