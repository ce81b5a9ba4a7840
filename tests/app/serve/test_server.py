"""The drawing page's server: POST /predict, static files, and refusals (404, 405, 413, 400)."""

import contextlib
import http.client
import json
import re
import socket
import threading
import time

import numpy as np
import pytest
from strokes import render

import digitnet as dn
from digitnet.app.serve.server import STATIC_DIR, STATIC_FILES, make_server
from digitnet.data.preprocess import to_mnist
from digitnet.reading.answers import UNSURE_BELOW, read_probabilities

# How often serve_forever looks for shutdown(): every test's server stops within this (seconds).
POLL = 0.02


@pytest.fixture(scope="module")
def server(mnist_model):
    httpd = make_server(dn.load_model(mnist_model), "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, args=(POLL,), daemon=True)
    thread.start()
    yield httpd.server_address
    httpd.shutdown()
    httpd.server_close()


def request(address, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(*address, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type"), data


def post_image(address, image):
    body = json.dumps({"image": image}).encode()
    status, _, data = request(
        address, "POST", "/predict", body, {"Content-Type": "application/json"}
    )
    return status, json.loads(data)


def drawing(digit, size=140):
    """A digit drawn bright on black, as the page sends it."""
    picture = render(
        digit,
        size=size * 0.8,
        offset=(size * 0.1, size * 0.1),
        canvas=(size, size),
        width=size // 12,
        dark_on_light=False,
    )
    return (np.asarray(picture, dtype=np.float32) / 255).round(3).tolist()


def test_predict_answers_digit_probabilities_input_and_activations(server):
    status, answer = post_image(server, drawing(3))
    assert status == 200
    assert answer["digit"] == 3
    assert len(answer["probabilities"]) == 10
    assert sum(answer["probabilities"]) == pytest.approx(1.0, abs=1e-6)
    assert np.asarray(answer["input"]).shape == (28, 28)
    assert [len(layer) for layer in answer["activations"]] == [128, 64]
    assert min(min(layer) for layer in answer["activations"]) >= 0  # ReLU outputs


def test_predict_says_how_sure_it_is_as_the_command_line_does(server):
    """/predict answers "sure" and "confidence" as read_probabilities (what `digitnet predict`
    prints from) reads the same probabilities: sure from UNSURE_BELOW up."""
    for image in (drawing(3), bar(28).tolist(), drawing(8, 28)):
        status, answer = post_image(server, image)
        assert status == 200
        read = read_probabilities(np.asarray(answer["probabilities"]))
        assert answer["confidence"] == pytest.approx(read["confidence"], abs=1e-12)
        assert answer["sure"] is read["sure"] is (max(answer["probabilities"]) >= UNSURE_BELOW)
        assert answer["digit"] == read["digit"]


@pytest.fixture(scope="module")
def model(mnist_model):
    return dn.load_model(mnist_model)


def bar(size):
    """A vertical stroke (a 1) on a size x size black canvas."""
    image = np.zeros((size, size), dtype=np.float32)
    image[size // 8 : -size // 8 or None, size // 2 - max(1, size // 16) : size // 2 + 1] = 1.0
    return image


@pytest.mark.parametrize(
    "picture, size, digit",
    [("bar", 8, None), ("bar", 28, 1), ("bar", 560, 1)]
    + [("four", size, 4) for size in (16, 28, 140, 560)],
)
def test_any_size_from_8_to_560_gets_the_models_answer_for_its_28x28_input(
    server, model, picture, size, digit
):
    """The answer is the model's own on the picture normalised to 28x28 (to_mnist), whatever
    the canvas size; a clear drawing is read as the same digit at every size."""
    image = bar(size) if picture == "bar" else np.asarray(drawing(4, size), dtype=np.float32)
    status, answer = post_image(server, image.tolist())
    assert status == 200
    field = to_mnist(image)
    np.testing.assert_allclose(answer["input"], np.round(field, 3), rtol=0, atol=1e-9)
    probs = model.predict_proba(field.reshape(1, 784))[0]
    np.testing.assert_allclose(answer["probabilities"], probs, rtol=1e-4, atol=1e-7)
    assert answer["digit"] == probs.argmax()
    if digit is not None:
        assert answer["digit"] == digit and max(answer["probabilities"]) > 0.75


def test_page_and_its_files(server):
    status, content_type, page = request(server, "GET", "/")
    assert status == 200 and content_type.startswith("text/html")
    for hook in (b'id="pad"', b'id="clear"', b'id="prediction"'):
        assert hook in page
    assert b"http" not in page.replace(b"http-equiv", b"")  # no external scripts or fonts
    for path, kind in (("/js/main.js", "text/javascript"), ("/style.css", "text/css")):
        status, content_type, _ = request(server, "GET", path)
        assert status == 200 and content_type.startswith(kind)


def test_the_page_is_es_modules_each_served_and_importing_only_each_other(server):
    """index.html loads js/main.js as a module; every file of static/js is served as JavaScript
    (STATIC_FILES lists it), imports only served files, and hands nothing over `window` (but the
    tests' window.lastResult)."""
    _, _, page = request(server, "GET", "/")
    assert b'<script type="module" src="js/main.js"></script>' in page
    assert page.count(b"<script") == 1
    files = sorted((STATIC_DIR / "js").glob("*.js"))
    assert {f"/js/{file.name}" for file in files} == {p for p in STATIC_FILES if "/js/" in p}
    for file in files:
        status, content_type, body = request(server, "GET", f"/js/{file.name}")
        assert status == 200 and content_type.startswith("text/javascript")
        source = body.decode()
        assert source == file.read_text() and source.startswith("// ")  # its header comment
        for name in re.findall(r'^import .* from "\./([\w-]+\.js)";$', source, re.M):
            assert (STATIC_DIR / "js" / name).is_file(), f"{file.name} imports {name}"
        uses = set(re.findall(r"window\.(\w+)", source))
        assert uses <= {"lastResult", "devicePixelRatio", "addEventListener"}, (file.name, uses)
        assert "window.lastResult" not in source or file.name == "main.js"


@pytest.mark.parametrize(
    "path",
    ["/nope", "/../pyproject.toml", "/static/../../etc/passwd", "/%2e%2e/model.py", "/server.py"],
)
def test_unknown_paths_and_traversal_are_404(server, path):
    status, _, _ = request(server, "GET", path)
    assert status == 404


def test_methods_not_served_are_405(server):
    for method in ("PUT", "DELETE", "PATCH"):
        status, _, _ = request(server, method, "/predict")
        assert status == 405
    assert request(server, "POST", "/js/main.js", b"{}")[0] == 405
    # a path served to the other method: GET of an action, POST of a view or a snapshot
    assert request(server, "GET", "/predict")[0] == 405
    assert request(server, "GET", "/api/train/pause")[0] == 405
    assert request(server, "POST", "/api/view", b"{}")[0] == 405
    assert request(server, "POST", "/api/snapshot/3", b"{}")[0] == 405
    assert request(server, "POST", "/api/no-such-action", b"{}")[0] == 404


def test_a_route_with_a_part_matches_the_rest_of_the_path():
    from digitnet.app.serve.handler import GET_ROUTES, POST_ROUTES, match_route

    assert match_route(GET_ROUTES, "/api/snapshot/3") == ("snapshot", "3")
    assert match_route(GET_ROUTES, "/api/download/my.npz") == ("download", "my.npz")
    assert match_route(GET_ROUTES, "/api/train") == ("status", None)
    assert match_route(POST_ROUTES, "/api/train/step") == ("control", None)
    assert match_route(GET_ROUTES, "/api/trainx") is None
    assert match_route(GET_ROUTES, "/api/snapshots/extra") is None


def test_oversized_body_is_413(server):
    headers = {"Content-Length": str(50 * 1024 * 1024), "Content-Type": "application/json"}
    status, _, _ = request(server, "POST", "/predict", b"{}", headers)
    assert status == 413


def test_a_client_that_sends_a_huge_body_before_reading_gets_the_413(server):
    """http.client writes all 20 MB before it reads: it must read the 413, not a broken pipe."""
    connection = http.client.HTTPConnection(*server, timeout=10)
    connection.request("POST", "/predict", bytes(20 * 1024 * 1024))
    response = connection.getresponse()
    assert response.status == 413
    assert response.getheader("Connection") == "close"
    assert json.loads(response.read()) == {"error": "body over 4194304 bytes"}
    connection.close()


@pytest.mark.parametrize(
    "body, message",
    [
        (b"{not json", "not valid JSON"),
        (b'{"img": []}', "expected a JSON object"),
        (b'{"image": [[0.5, 0.5], [0.5]]}', "between 8 and 560"),
        (json.dumps({"image": [[0.0] * 9] * 8 + [[0.0] * 8]}).encode(), "same length"),
        (json.dumps({"image": [[2.0] * 10] * 10}).encode(), "in [0, 1]"),
        (json.dumps({"image": [["x"] * 10] * 10}).encode(), "must be numbers"),
        (json.dumps({"image": [[0.0] * 10] * 10}).encode(), "no ink"),
    ],
)
def test_malformed_requests_are_400_with_a_reason(server, body, message):
    status, _, data = request(
        server, "POST", "/predict", body, {"Content-Type": "application/json"}
    )
    assert status == 400 and message in json.loads(data)["error"]


@pytest.mark.slow  # 8,000 requests
def test_keeps_answering_8_clients_1000_requests_a_fifth_malformed(server):
    """8 clients send 125 requests each; every fifth is malformed (bad JSON, wrong shape, out
    of range values, wrong path or method, or too big). Every answer must be the right one."""
    good = {digit: json.dumps({"image": drawing(digit, 56)}).encode() for digit in range(10)}
    bad = [
        ("POST", "/predict", b"{broken", 400),
        ("POST", "/predict", b'{"image": [[0.1, 0.2]]}', 400),
        ("POST", "/predict", json.dumps({"image": [[3.0] * 20] * 20}).encode(), 400),
        ("POST", "/nowhere", b"{}", 404),
        ("PUT", "/predict", b"{}", 405),
    ]
    failures, counts = [], {"ok": 0, "refused": 0}
    lock = threading.Lock()

    def client(worker: int) -> None:
        connection = http.client.HTTPConnection(*server, timeout=30)
        for i in range(125):
            if i % 5 == 4:
                method, path, body, expected = bad[(worker + i) % len(bad)]
            else:
                digit = (worker * 125 + i) % 10
                method, path, body, expected = "POST", "/predict", good[digit], 200
            connection.request(method, path, body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            data = json.loads(response.read())
            right = response.status == expected and (
                expected != 200 or sum(data["probabilities"]) == pytest.approx(1, abs=1e-6)
            )
            with lock:
                counts["ok" if expected == 200 else "refused"] += 1
                if not right:
                    failures.append((worker, i, response.status, expected))
        connection.close()

    threads = [threading.Thread(target=client, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:5]
    assert counts == {"ok": 800, "refused": 200}
    status, answer = post_image(server, drawing(7))  # and it still answers afterwards
    assert status == 200 and answer["digit"] == 7


@contextlib.contextmanager
def serving(model_path, **limits):
    """A server of its own, with the handler's time and size limits shortened for a test."""
    httpd = make_server(dn.load_model(model_path), "127.0.0.1", 0)
    for name, value in limits.items():
        setattr(httpd.RequestHandlerClass, name, value)
    thread = threading.Thread(target=httpd.serve_forever, args=(POLL,), daemon=True)
    thread.start()
    try:
        yield httpd.server_address
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_stalled_client_is_dropped_and_others_are_served(mnist_model):
    with serving(mnist_model, timeout=0.5) as address:  # 30 s in real use
        stalled = socket.create_connection(address, timeout=5)
        stalled.sendall(b"POST /predict HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")  # then silence
        time.sleep(0.2)
        assert request(address, "GET", "/")[0] == 200  # others are served meanwhile
        start = time.time()
        assert stalled.recv(1024) == b""  # dropped: the server closed the connection
        assert time.time() - start < 4
        stalled.close()


def read_until_closed(connection: socket.socket) -> bytes:
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    return answer


def test_a_refused_body_is_read_for_a_bounded_time_only(mnist_model):
    """A client that announces 1 GB, reads the 413, then trickles a byte every 20 ms: it can
    still send for a while after the answer, but is cut off after drain_seconds."""
    with serving(mnist_model, drain_seconds=0.5) as address:
        client = socket.create_connection(address, timeout=5)
        client.sendall(b"POST /predict HTTP/1.1\r\nContent-Length: 1000000000\r\n\r\n{")
        answer = read_until_closed(client)  # the server has sent the 413 and shut its side
        assert answer.startswith(b"HTTP/1.1 413 ") and answer.endswith(b'bytes"}')
        start = time.time()
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            while time.time() - start < 5:
                client.sendall(b"x")
                time.sleep(0.02)
        assert 0.3 < time.time() - start < 2.5
        client.close()


def test_a_refused_body_is_read_up_to_a_bounded_size_only(mnist_model):
    """A client that sends 20 MB fast is cut off once drain_bytes (here 1 MB) have been read."""
    with serving(mnist_model, drain_bytes=1024 * 1024, drain_seconds=30) as address:
        client = socket.create_connection(address, timeout=5)
        start = time.time()
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            client.sendall(b"POST /predict HTTP/1.1\r\nContent-Length: 20971520\r\n\r\n")
            client.sendall(bytes(20 * 1024 * 1024))
        assert time.time() - start < 5  # not drain_seconds: the size bound stopped the reading
        client.close()
