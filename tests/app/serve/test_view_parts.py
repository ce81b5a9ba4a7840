"""What the live page shows, computed: snapshots (bounded), first-layer pictures, layer
statistics, the test strip, and the training curve's bound."""

import base64
import threading

import numpy as np

import digitnet as dn
from digitnet.app.serve.run import MAX_POINTS, LiveRun
from digitnet.app.serve.view_parts import (
    Snapshot,
    Snapshots,
    dead_share,
    first_layer_filters,
    layer_statistics,
    strip_indices,
)
from digitnet.app.serve.worker import Worker
from digitnet.nn.spec import build_layers
from digitnet.training.callbacks import RunState
from digitnet.training.settings import RunSettings


def snapshot(epoch):
    return Snapshot(epoch, [], 0.0, 0.0, np.zeros((10, 10)))


def test_snapshots_stay_bounded_and_spread_over_the_run():
    kept = Snapshots(limit=5)
    for epoch in range(41):
        kept.add(snapshot(epoch))
    epochs = [s.epoch for s in kept.items]
    assert len(epochs) == 5 and epochs[0] == 0 and epochs[-1] == 40
    assert max(np.diff(epochs)) <= 2 * min(np.diff(epochs)) + 2  # spread, not bunched at the end
    assert kept.find(40) is kept.items[-1] and kept.find(1) is None


def unpack(filters):
    data = np.frombuffer(base64.b64decode(filters["data"]), np.uint8)
    return data.reshape(filters["count"], filters["height"], filters["width"]).astype(int)


def test_first_layer_filters_of_a_dense_network_are_its_units_as_pictures():
    model = dn.MLP(seed=0)
    W = model.layers[0].params["W"]
    filters = first_layer_filters(model)
    assert (filters["count"], filters["height"], filters["width"]) == (64, 28, 28)
    pictures = unpack(filters)
    unit = W[:, 5].reshape(28, 28)  # unit 5's weights on the 784 pixels
    expected = np.round(128 + 127 * unit / np.abs(unit).max())
    assert np.abs(pictures[5] - expected).max() <= 1
    assert pictures[5].max() == 255 or pictures[5].min() == 1  # its largest |w| at an end


def test_first_layer_filters_of_a_cnn_are_its_kernels():
    shape = (1, 28, 28)
    model = dn.Sequential(build_layers("conv 6 5, relu, maxpool 2", shape), input_shape=shape)
    model.layers[0].params["W"][...] = 0
    model.layers[0].params["W"][2, 0, 1, 3] = -0.5
    pictures = unpack(first_layer_filters(model))
    assert pictures.shape == (6, 5, 5)
    assert (
        pictures[2, 1, 3] == 1 and (pictures[2] == 128).sum() == 24 and (pictures[0] == 128).all()
    )


def test_dead_share_counts_units_silent_for_the_whole_batch():
    h = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0]])
    assert dead_share(h) == 0.5  # units 0 and 3
    maps = np.zeros((2, 4, 3, 3))
    maps[1, 2, 0, 0] = 1.0  # channel 2 lights up once
    assert dead_share(maps) == 0.75


def test_layer_statistics_name_each_weight_layer_and_its_dead_units():
    (X, y), _ = dn.load_mnist(dtype="uint8")
    model = dn.MLP(seed=0)
    model.fit(X[:256], y[:256], epochs=1, verbose=0)
    activations = []
    model.forward(X[:32].astype(np.float32) / 255, activations=activations)
    rows = layer_statistics(model, activations)
    assert [row["name"] for row in rows] == ["dense 128", "dense 64", "dense 10"]
    assert rows[0]["dead"] == dead_share(activations[0]) and rows[2]["dead"] is None
    W = model.layers[0].params["W"]
    assert np.isclose(rows[0]["weights_rms"], np.sqrt(np.mean(W.astype(float) ** 2)))
    assert layer_statistics(model, None, with_gradients=False)[0]["gradients_rms"] is None


def test_strip_shows_every_digit_in_turn():
    labels = np.array([3, 1, 0, 2, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 9, 8, 7, 6, 5, 4] * 3)
    chosen = strip_indices(labels, 12)
    assert labels[chosen].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_the_training_curve_stays_bounded():
    run = LiveRun(RunSettings(), Worker(threading.Condition()))
    run.on_train_begin(RunState(None, None, 10_000, 10, 1280))
    for _ in range(5 * MAX_POINTS):
        run.on_batch_end(0, {"loss": 1.0, "size": 128, "correct": 64, "activations": []})
    assert MAX_POINTS // 2 <= len(run.points) <= MAX_POINTS
    steps = [point["step"] for point in run.points]
    assert steps == sorted(steps) and steps[-1] > 4 * MAX_POINTS  # the whole run, thinned
    assert run.points[-1]["accuracy"] == 0.5
