"""Live training through the server's JSON API: runs, controls, the learning rate, the live view,
snapshots, teaching, saving, and the refusals (400, 403, 404, 409) with their reasons."""

import contextlib
import http.client
import json
import threading
import time

import numpy as np
import pytest
from strokes import render
from test_server import POLL, drawing

import digitnet as dn
from digitnet.app.serve.server import make_server
from digitnet.app.serve.session import LiveSession
from digitnet.app.serve.teach import MAX_STEPS
from digitnet.data.datasets import DataSplits, load_csv
from digitnet.data.preprocess import to_mnist


@pytest.fixture(scope="module")
def mnist_small():
    """3,000 training and 1,000 test images of MNIST: runs of a few epochs take a second."""
    (X, y), (Xt, yt) = dn.load_mnist(dtype="uint8")
    return DataSplits(X[:3000], y[:3000], Xt[:1000], yt[:1000], "test", "bundled MNIST")


@contextlib.contextmanager
def serving_session(session):
    """A server for `session` on a free port, answering on a thread of its own: its address.
    At the end, the session's run still under way stops (the worker stops using the CPU) and the
    server closes."""
    httpd = make_server(session, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, args=(POLL,), daemon=True).start()
    try:
        yield httpd.server_address
    finally:
        session.close()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def live(mnist_small, tmp_path):
    """A server on a fresh session (an untrained MLP) saving into tmp_path: its address."""
    with serving_session(LiveSession(dn.MLP(seed=0), mnist_small, tmp_path)) as address:
        yield address


def call(address, method, path, body=None, headers=None):
    """(status, JSON answer) of one request; a dict body is sent as JSON."""
    connection = http.client.HTTPConnection(*address, timeout=60)
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    connection.request(method, path, body=data, headers=headers or {})
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    return response.status, json.loads(answer)


def wait_for(address, states, seconds=60):
    """GET /api/train until its state is one of `states`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _, status = call(address, "GET", "/api/train")
        if status["state"] in states:
            return status
        time.sleep(0.05)
    raise AssertionError(f"state still {status['state']} after {seconds} s")


def test_idle_server_reports_the_untrained_network(live):
    status, answer = call(live, "GET", "/api/train")
    assert status == 200
    assert answer["state"] == "idle" and answer["history"] == [] and answer["step"] == 0
    assert answer["network"] == "784 -> dense 128 -> relu -> dense 64 -> relu -> dense 10"
    assert 0.0 < answer["test_accuracy"] < 0.3  # untrained: about chance


def test_a_run_learns_records_and_snapshots_each_epoch(live, tmp_path):
    status, answer = call(live, "POST", "/api/train", {"epochs": 3, "lr": 0.003})
    assert status == 200 and answer["state"] in ("running", "done")
    assert answer["settings"]["optimizer"] == "adam" and answer["settings"]["epochs"] == 3
    done = wait_for(live, ("done",))
    assert [h["epoch"] for h in done["history"]] == [1, 2, 3]
    assert done["history"][-1]["test_accuracy"] > 0.8  # 3 epochs on 3,000 images
    assert done["test_accuracy"] == done["history"][-1]["test_accuracy"]
    assert done["step"] == 3 * 24 and done["steps_per_epoch"] == 24  # 3,000 / 128
    epochs = [point["epoch"] for point in done["batches"]]
    assert len(epochs) == 72 and epochs == sorted(epochs) and epochs[-1] == 3.0
    _, snapshots = call(live, "GET", "/api/snapshots")
    assert [s["epoch"] for s in snapshots["snapshots"]] == [0, 1, 2, 3]
    _, first = call(live, "GET", "/api/snapshot/0")
    _, last = call(live, "GET", "/api/snapshot/3")
    assert first["test_accuracy"] < 0.3 < 0.8 < last["test_accuracy"]
    assert sum(map(sum, last["confusion"])) == 1000
    assert np.trace(np.array(last["confusion"])) == round(last["test_accuracy"] * 1000)
    # the saved file scores what the page says
    status, saved = call(live, "POST", "/api/save", {"name": "run.npz"})
    assert status == 200 and saved["path"] == str(tmp_path / "run.npz")
    (X, y), (Xt, yt) = dn.load_mnist(dtype="uint8")
    assert dn.load_model(saved["path"]).score(Xt[:1000], yt[:1000]) == done["test_accuracy"]


def test_one_run_at_a_time(live):
    call(live, "POST", "/api/train", {"epochs": 200, "batch_size": 16})
    status, answer = call(live, "POST", "/api/train", {"epochs": 1})
    assert status == 409 and "under way" in answer["error"]
    assert call(live, "POST", "/api/train/stop")[1]["state"] == "done"
    assert (
        call(live, "POST", "/api/train", {"epochs": 1})[0] == 200
    )  # stopped: a new run may start


def test_pause_step_resume_stop(live):
    call(live, "POST", "/api/train", {"epochs": 200, "batch_size": 16})
    time.sleep(0.2)
    status, paused = call(live, "POST", "/api/train/pause")
    assert status == 200 and paused["state"] == "paused"
    time.sleep(0.3)
    assert call(live, "GET", "/api/train")[1]["step"] == paused["step"]  # no step while paused
    first = call(live, "POST", "/api/train/step")[1]
    second = call(live, "POST", "/api/train/step")[1]
    assert (first["step"], second["step"]) == (paused["step"] + 1, paused["step"] + 2)
    assert second["state"] == "paused"
    assert call(live, "POST", "/api/train/resume")[1]["state"] == "running"
    time.sleep(0.3)
    assert call(live, "GET", "/api/train")[1]["step"] > second["step"] + 1
    stopped = call(live, "POST", "/api/train/stop")[1]
    assert stopped["state"] == "done" and stopped["error"] is None


def test_no_rate_while_paused(live):
    """A paused run trains no images: /api/train gives no images per second then (not the rate
    from before the pause), and gives one again once the run has resumed."""
    call(live, "POST", "/api/train", {"epochs": 200, "batch_size": 16})
    time.sleep(0.8)  # a view or two: a rate
    assert call(live, "GET", "/api/train")[1]["images_per_second"] > 0
    paused = call(live, "POST", "/api/train/pause")[1]
    assert paused["state"] == "paused" and paused["images_per_second"] is None
    assert call(live, "POST", "/api/train/step")[1]["images_per_second"] is None
    call(live, "POST", "/api/train/resume")
    time.sleep(1.2)  # VIEW_AT_LEAST: a view since the resume
    assert call(live, "GET", "/api/train")[1]["images_per_second"] > 0
    call(live, "POST", "/api/train/stop")


def test_the_view_says_what_its_accuracy_is_and_whether_it_is_the_probe(live):
    """Mid-epoch the live view scores the first PROBE test images ("probe": true); at an epoch's
    end, all of them, when its accuracy is the epoch's test accuracy."""
    _, idle = call(live, "GET", "/api/view")
    assert idle["probe"] is False and idle["confusion_n"] == 1000
    assert idle["accuracy"] == np.trace(idle["confusion"]) / 1000
    assert idle["accuracy"] == call(live, "GET", "/api/train")[1]["test_accuracy"]
    call(live, "POST", "/api/train", {"epochs": 200, "batch_size": 1})
    paused = call(live, "POST", "/api/train/pause")[1]  # in epoch 1: the probe's view
    _, view = call(live, "GET", "/api/view")
    call(live, "POST", "/api/train/stop")
    assert paused["epoch"] == 0 and paused["history"] == []
    assert view["probe"] is True and view["confusion_n"] == 500
    assert view["accuracy"] == np.trace(view["confusion"]) / 500


@pytest.mark.parametrize(
    ("setup", "action", "reason"),
    [
        ([], "pause", "no run is under way (state idle)"),
        ([], "step", "no run is under way"),
        (["train"], "step", "pause the run first"),
        (["train"], "resume", "not paused"),
        (["train", "pause"], "pause", "paused already"),
        (["train", "stop"], "stop", "no run is under way (state done)"),
    ],
)
def test_controls_refused_in_the_wrong_state(live, setup, action, reason):
    for step in setup:
        if step == "train":
            call(live, "POST", "/api/train", {"epochs": 200, "batch_size": 16})
        else:
            call(live, "POST", f"/api/train/{step}")
    status, answer = call(live, "POST", f"/api/train/{action}")
    assert status == 409 and reason in answer["error"]


def test_learning_rate_changes_mid_run(live):
    call(live, "POST", "/api/train", {"epochs": 200, "batch_size": 16, "lr": 0.001})
    call(live, "POST", "/api/train/pause")
    status, answer = call(live, "POST", "/api/lr", {"lr": 0.004})
    assert status == 200 and answer["lr"] == pytest.approx(0.004)
    assert call(live, "GET", "/api/train")[1]["lr"] == pytest.approx(0.004)
    for bad in ({"lr": 0}, {"lr": -1}, {"lr": "fast"}, {}, {"lr": True}, [1]):
        status, answer = call(live, "POST", "/api/lr", bad)
        assert status == 400 and ("lr" in answer["error"] or "object" in answer["error"])
    call(live, "POST", "/api/train/stop")
    status, answer = call(live, "POST", "/api/lr", {"lr": 0.1})
    assert status == 409 and "no run is under way" in answer["error"]


def test_lr_scale_scales_every_step_of_the_schedule():
    """RunState.lr_scale (what POST /api/lr sets) multiplies the schedule's rate: 0 freezes."""
    (X, y), _ = dn.load_mnist(dtype="uint8")
    model = dn.MLP(seed=0)
    before = model.flat_params.copy()

    class Freeze(dn.Callback):
        def on_train_begin(self, run):
            run.lr_scale = 0.0

    model.fit(X[:256], y[:256], epochs=1, verbose=0, callbacks=[Freeze()])
    assert np.array_equal(model.flat_params, before)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"optimiser": "adam"}, "unknown keys ['optimiser']"),
        ({"preset": "huge"}, '"preset" must be one of'),
        ({"layers": "conv x"}, "conv"),
        ({"layers": ""}, '"layers" must be a spec'),
        ({"continue": True, "preset": "cnn"}, '"continue" trains the current network'),
        ({"continue": "yes"}, '"continue" must be true or false'),
        ({"epochs": 0}, '"epochs" must be an integer >= 1'),
        ({"batch_size": "64"}, '"batch_size" must be an integer'),
        ({"limit": 3001}, '"limit" must be at most 3000'),
        ({"lr": float("inf")}, '"lr" must be finite'),
        ({"optimizer": "sgd"}, '"optimizer" must be one of gd, momentum, nesterov, adam'),
        ({"augment": "rotate"}, '"augment" must be one of none, affine, elastic'),
        ([], "expects a JSON object"),
    ],
)
def test_bad_run_requests_get_400_and_the_reason(live, body, reason):
    status, answer = call(live, "POST", "/api/train", body)
    assert status == 400 and reason in answer["error"]
    assert call(live, "GET", "/api/train")[1]["state"] == "idle"


def test_a_diverging_run_fails_and_the_server_serves_on(live):
    call(live, "POST", "/api/train", {"optimizer": "gd", "lr": 1e6, "epochs": 2})
    failed = wait_for(live, ("failed", "done"))
    assert failed["state"] == "failed"
    assert (
        "training diverged" in failed["error"]
        and "back at its weights of epoch 0" in failed["error"]
    )
    status, answer = call(live, "POST", "/predict", {"image": drawing(7)})
    assert status == 200 and sum(answer["probabilities"]) == pytest.approx(1)
    assert call(live, "POST", "/api/train", {"epochs": 1})[0] == 200  # and trains again


def test_a_run_continues_the_current_network(live):
    call(live, "POST", "/api/train", {"epochs": 2, "lr": 0.003})
    trained = wait_for(live, ("done",))["test_accuracy"]
    call(live, "POST", "/api/train", {"continue": True, "epochs": 1, "lr": 0.001})
    again = wait_for(live, ("done",))
    assert again["history"][0]["test_accuracy"] > trained - 0.03  # not started from scratch
    _, snapshots = call(live, "GET", "/api/snapshots")
    assert snapshots["snapshots"][0]["test_accuracy"] == trained  # epoch 0 = where it started


def test_a_cnn_run_from_a_layers_spec(live):
    spec = "conv 4 5, relu, maxpool 2, dense 32, relu"
    call(live, "POST", "/api/train", {"layers": spec, "epochs": 1, "limit": 512})
    done = wait_for(live, ("done",))
    assert done["network"].startswith("1 x 28 x 28 -> conv 4 5 -> relu -> maxpool 2")
    _, view = call(live, "GET", "/api/view")
    assert (view["filters"]["count"], view["filters"]["height"]) == (4, 5)


def test_live_view_shows_strip_confusion_filters_and_layer_statistics(live):
    call(live, "POST", "/api/train", {"epochs": 200, "batch_size": 16})
    call(live, "POST", "/api/train/pause")  # a paused run has shown its last step
    status, view = call(live, "GET", "/api/view")
    call(live, "POST", "/api/train/stop")
    assert status == 200
    strip = view["strip"]
    assert len(strip["labels"]) == len(strip["predictions"]) == 24
    assert strip["labels"][:10] == list(range(10))  # every digit, in order
    assert len(__import__("base64").b64decode(strip["images"])) == 24 * 784
    confusion = np.array(view["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == view["confusion_n"]
    # mid-epoch the first 500 test images, at an epoch's end all of them (here 1,000)
    assert (view["confusion_n"], view["confusion_source"]) in (
        (500, "the first 500 test images (live)"),
        (1000, "all 1,000 test images"),
    )
    filters = view["filters"]
    assert (filters["count"], filters["height"], filters["width"]) == (64, 28, 28)
    names = [row["name"] for row in view["layers"]]
    assert names == ["dense 128", "dense 64", "dense 10"]
    assert all(row["gradients_rms"] > 0 and row["weights_rms"] > 0 for row in view["layers"])
    assert 0 <= view["layers"][0]["dead"] <= 1 and view["layers"][2]["dead"] is None


def test_predict_reads_with_current_or_snapshot_weights_and_explains(live):
    image = drawing(7)
    status, now = call(live, "POST", "/predict", {"image": image})
    assert status == 200 and now["epoch"] is None
    saliency = np.array(now["saliency"])
    assert saliency.shape == (28, 28) and np.abs(saliency).max() > 0
    # the "why" map is the input gradient of the digit's score, on the 28x28 the network saw
    model = dn.MLP(seed=0)
    field = to_mnist(np.array(image, dtype=np.float32), "image").reshape(1, 784)
    expected = model.input_gradient(field, np.array([now["digit"]]))[0].reshape(28, 28)
    assert np.allclose(saliency, expected, atol=1e-5)
    assert call(live, "POST", "/predict", {"image": image, "epoch": 0})[1]["epoch"] == 0
    status, answer = call(live, "POST", "/predict", {"image": image, "epoch": 9})
    assert status == 404 and "no snapshot of epoch 9" in answer["error"]
    status, answer = call(live, "POST", "/predict", {"image": image, "epoch": "last"})
    assert status == 400 and "epoch" in answer["error"]


def test_teach_changes_the_answer_and_keeps_the_drawing(live, tmp_path):
    call(live, "POST", "/api/train", {"epochs": 3, "lr": 0.003})
    wait_for(live, ("done",))
    image, label, read = misread_drawing(live)
    status, taught = call(live, "POST", "/api/teach", {"image": image, "label": label})
    assert status == 200
    assert np.argmax(taught["before"]) == read and np.argmax(taught["after"]) == label
    assert 1 <= taught["steps"] <= MAX_STEPS and taught["taught"] == 1
    assert abs(taught["test_accuracy_after"] - taught["test_accuracy_before"]) < 0.05
    assert call(live, "POST", "/predict", {"image": image})[1]["digit"] == label
    images, labels = load_csv(tmp_path / "taught.csv", "uint8")
    assert labels.tolist() == [label] and images.shape == (1, 784)
    assert np.abs(images[0] / 255 - to_mnist(np.array(image), "x").ravel()).max() <= 0.5 / 255
    assert taught["taught_path"] == str(tmp_path / "taught.csv")


def misread_drawing(address):
    """A pen-stroke digit (slanted or thin) that the server's network reads wrong: (image,
    its digit, what the network reads)."""
    for rotate in (30, -30, 0):
        for digit in range(10):
            picture = render(
                digit,
                size=100,
                offset=(20, 20),
                canvas=(140, 140),
                width=8,
                dark_on_light=False,
                rotate=rotate,
            )
            image = (np.asarray(picture, dtype=np.float32) / 255).round(3).tolist()
            read = call(address, "POST", "/predict", {"image": image})[1]["digit"]
            if read != digit:
                return image, digit, read
    raise AssertionError("the network read every drawing right: none to teach")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"image": [[0.5] * 28] * 28, "label": 10}, '"label" must be a class number 0-9'),
        ({"image": [[0.5] * 28] * 28, "label": "3"}, '"label" must be a class number 0-9'),
        ({"image": [[0.5] * 28] * 28}, '"label" must be a class number 0-9'),
        ({"image": [[2] * 28] * 28, "label": 3}, "values must be in [0, 1]"),
        ({"label": 3}, '{"image"'),
        ({"image": [[0] * 28] * 28, "label": 3}, "no ink"),
    ],
)
def test_bad_teach_requests_get_400(live, body, reason):
    status, answer = call(live, "POST", "/api/teach", body)
    assert status == 400 and reason in answer["error"]


def test_taught_drawings_of_an_earlier_session_are_kept(mnist_small, tmp_path):
    first = LiveSession(dn.MLP(seed=0), mnist_small, tmp_path)
    first.teach({"image": drawing(4), "label": 4})
    second = LiveSession(dn.MLP(seed=0), mnist_small, tmp_path)
    assert second.taught.labels.tolist() == [4]
    second.teach({"image": drawing(2), "label": 2})
    assert load_csv(tmp_path / "taught.csv", "uint8")[1].tolist() == [4, 2]


@pytest.mark.parametrize(
    "name", ["../up.npz", "a/b.npz", "a\\b.npz", "model.txt", "", ".hidden.npz", 5, "x" * 120]
)
def test_save_refuses_names_that_are_not_plain_npz_files(live, tmp_path, name):
    status, answer = call(live, "POST", "/api/save", {"name": name})
    assert status == 400 and '"name" must be' in answer["error"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_save_never_overwrites_a_file_it_did_not_write(live, tmp_path):
    (tmp_path / "mine.npz").write_bytes(b"precious")
    status, answer = call(live, "POST", "/api/save", {"name": "mine.npz"})
    assert status == 409 and "exists already" in answer["error"]
    assert (tmp_path / "mine.npz").read_bytes() == b"precious"
    assert call(live, "POST", "/api/save", {"name": "new.npz"})[0] == 200
    assert call(live, "POST", "/api/save", {"name": "new.npz"})[0] == 200  # its own: again


def test_download_serves_only_files_saved_from_the_page(live, tmp_path):
    call(live, "POST", "/api/save", {"name": "get-me.npz"})
    connection = http.client.HTTPConnection(*live, timeout=10)
    connection.request("GET", "/api/download/get-me.npz")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Disposition") == 'attachment; filename="get-me.npz"'
    assert response.read() == (tmp_path / "get-me.npz").read_bytes()
    connection.close()
    (tmp_path / "other.npz").write_bytes(b"x")
    for name in ("other.npz", "..%2Fetc%2Fpasswd", "nothing.npz"):
        status, answer = call(live, "GET", f"/api/download/{name}")
        assert status == 404 and "no model saved from this page" in answer["error"]


def test_requests_from_another_site_are_refused(live):
    host = f"{live[0]}:{live[1]}"
    for path, body in (("/api/train", {"epochs": 1}), ("/api/save", {"name": "x.npz"})):
        status, answer = call(live, "POST", path, body, {"Origin": "http://evil.example"})
        assert status == 403 and "refused" in answer["error"]
    status, _ = call(live, "POST", "/api/train/stop", None, {"Origin": "null"})
    assert status == 403
    assert call(live, "GET", "/api/train")[1]["state"] == "idle"  # nothing was started
    status, _ = call(live, "POST", "/api/train", {"epochs": 1}, {"Origin": f"http://{host}"})
    assert status == 200  # the page's own origin


def test_rebinding_host_names_are_refused_on_every_endpoint(live):
    for method, path in (("GET", "/api/train"), ("GET", "/api/view"), ("POST", "/api/train")):
        status, answer = call(
            live, method, path, {} if method == "POST" else None, {"Host": "attacker.example:8000"}
        )
        assert status == 403 and "not an address of this server" in answer["error"]


def test_unknown_endpoints_and_snapshot_paths(live):
    assert call(live, "GET", "/api/nothing")[0] == 404
    assert call(live, "POST", "/api/train/explode")[0] == 404
    assert call(live, "POST", "/api/view", {})[0] == 405
    assert call(live, "GET", "/api/snapshot/12")[0] == 404
    assert call(live, "GET", "/api/snapshot/abc")[0] == 400
    assert call(live, "POST", "/api/train", b"{not json")[0] == 400


def test_teach_and_save_while_paused_and_while_running(live, tmp_path):
    """Jobs reach the network between two steps: while paused, and while it trains."""
    call(live, "POST", "/api/train", {"epochs": 200, "batch_size": 16})
    paused = call(live, "POST", "/api/train/pause")[1]
    status, taught = call(live, "POST", "/api/teach", {"image": drawing(3), "label": 3})
    assert status == 200 and taught["taught"] == 1
    assert call(live, "POST", "/api/save", {"name": "paused.npz"})[0] == 200
    assert call(live, "GET", "/api/train")[1]["step"] == paused["step"]  # still paused there
    call(live, "POST", "/api/train/resume")
    status, taught = call(live, "POST", "/api/teach", {"image": drawing(5), "label": 5})
    assert status == 200 and taught["taught"] == 2
    assert call(live, "POST", "/api/save", {"name": "running.npz"})[0] == 200
    assert call(live, "POST", "/api/train/stop")[1]["state"] == "done"
    assert dn.load_model(tmp_path / "paused.npz").n_inputs == 784


def test_teach_refuses_once_the_taught_set_is_full_and_leaves_the_network(live, monkeypatch):
    monkeypatch.setattr("digitnet.app.serve.teach.MAX_TAUGHT", 0)
    before = call(live, "POST", "/predict", {"image": drawing(3)})[1]["probabilities"]
    status, answer = call(live, "POST", "/api/teach", {"image": drawing(3), "label": 8})
    assert status == 409 and "taught drawings are kept already" in answer["error"]
    assert call(live, "POST", "/predict", {"image": drawing(3)})[1]["probabilities"] == before


def test_a_failing_disk_gets_a_500_with_the_reason(live, tmp_path, capfd):
    tmp_path.rename(tmp_path.with_name(tmp_path.name + "-gone"))  # the save folder vanished
    status, answer = call(live, "POST", "/api/save", {"name": "lost.npz"})
    assert status == 500 and "No such file or directory" in answer["error"]
    assert call(live, "GET", "/api/train")[0] == 200  # serving on
    err = capfd.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("digitnet: ")


def test_networks_too_big_for_the_page_are_refused(live):
    status, answer = call(live, "POST", "/api/train", {"layers": "dense 30000, relu"})
    assert status == 400 and "parameters; the page trains networks of up to" in answer["error"]


def test_the_page_trains_with_a_learner_s_parts(mnist_small, tmp_path):
    """serve --parts: every run trains with the learner's layers, which the network line marks."""
    from pathlib import Path

    from digitnet.learn.parts import load_parts

    other_parts = Path(__file__).parents[2] / "learn" / "other_parts"
    session = LiveSession(dn.MLP(seed=0), mnist_small, tmp_path, parts=load_parts(other_parts))
    with serving_session(session) as address:
        _, idle = call(address, "GET", "/api/train")
        assert idle["network"] == (
            "784 -> dense 128 (yours) -> relu (yours) -> dense 64 (yours) -> relu (yours) -> "
            "dense 10 (yours)"
        )
        spec = "dense 32, relu"
        call(address, "POST", "/api/train", {"epochs": 3, "lr": 0.003, "layers": spec})
        done = wait_for(address, ("done", "failed"))
        assert done["state"] == "done", done
        assert done["network"] == "784 -> dense 32 (yours) -> relu (yours) -> dense 10 (yours)"
        assert done["history"][-1]["test_accuracy"] > 0.8
