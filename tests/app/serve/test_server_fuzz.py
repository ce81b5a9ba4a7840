"""The server under random, truncated and abandoned requests: it keeps answering, and a client
that goes away costs at most one short line on stderr, never a traceback."""

import contextlib
import http.client
import json
import random
import socket
import struct
import threading

import pytest
from test_server import POLL

import digitnet as dn
from digitnet.app.serve.server import make_server

pytestmark = pytest.mark.slow  # hundreds of random requests


@pytest.fixture
def server():
    httpd = make_server(dn.MLP(seed=0), "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, args=(POLL,), daemon=True)
    thread.start()
    yield httpd.server_address[:2]
    httpd.shutdown()
    httpd.server_close()


def send(address, data: bytes, read: bool = True, reset: bool = False) -> bytes:
    """Send raw bytes; read the answer, or close at once (with reset: a TCP reset, as a client
    that crashes or is killed)."""
    connection = socket.create_connection(address, timeout=5)
    try:
        connection.sendall(data)
        if reset:  # SO_LINGER with a zero timeout: close() sends RST instead of FIN
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif read:
            connection.settimeout(0.5)
            with contextlib.suppress(OSError):
                return connection.recv(65536)
        return b""
    finally:
        connection.close()


def predict(address) -> int:
    image = [
        [1.0 if 12 <= column <= 15 and 4 <= row <= 23 else 0.0 for column in range(28)]
        for row in range(28)
    ]  # a "1"
    connection = http.client.HTTPConnection(*address, timeout=10)
    connection.request("POST", "/predict", json.dumps({"image": image}))
    status = connection.getresponse().status
    connection.close()
    return status


def test_random_truncated_and_abandoned_requests_print_no_traceback(server, capfd):
    rng = random.Random(0)
    body = json.dumps({"image": [[0.5] * 28 for _ in range(28)]}).encode()
    host = b"Host: 127.0.0.1"
    head = (
        b"POST /predict HTTP/1.1\r\n" + host + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    )
    abandoned = 0
    for i in range(200):
        kind = i % 5
        if kind == 0:  # random bytes, then a blank line: a 400 from http.server, or a close
            noise = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
            send(server, noise + b"\r\n\r\n")
        elif kind == 1:  # a request cut anywhere, then closed without reading
            send(server, (head + body)[: rng.randrange(1, len(head) + len(body))], read=False)
            abandoned += 1
        elif kind == 2:  # a whole request, then a reset before the answer is read
            send(server, head + body, reset=True)
            abandoned += 1
        elif kind == 3:  # half the body, then a reset
            send(server, head + body[: len(body) // 2], reset=True)
            abandoned += 1
        else:  # a random header line in an otherwise good request: answered
            junk = "".join(chr(rng.randrange(33, 127)) for _ in range(20))
            answer = send(
                server,
                head.replace(host, host + f"\r\n{junk}".encode()) + body,
            )
            assert answer.startswith(b"HTTP/1.1 ")
    assert predict(server) == 200  # still serving
    err = capfd.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) <= abandoned
    odd = [line for line in lines if not line.startswith("digitnet: 127.0.0.1:") or len(line) > 99]
    assert not odd


@pytest.mark.parametrize(
    "host, allowed",
    [
        ("127.0.0.1:8000", True),
        ("localhost:8000", True),
        ("LOCALHOST", True),
        ("[::1]:8000", True),
        ("192.168.1.20:8000", True),
        ("evil.example:8000", False),  # a domain re-pointed at 127.0.0.1 (DNS rebinding)
        ("localhost.evil.example", False),
        ("127.0.0.1.nip.io:8000", False),
    ],
)
def test_host_must_be_an_address_or_localhost(server, host, allowed):
    """GET / and POST /predict with that Host header: served, or 403 with a reason."""
    for method, path, body in (("GET", "/", None), ("POST", "/predict", b'{"image": [[0]]}')):
        connection = http.client.HTTPConnection(*server, timeout=10)
        connection.request(method, path, body=body, headers={"Host": host})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        if allowed:
            assert response.status in (200, 400)  # the page; a blank image is a 400
        else:
            assert response.status == 403
            assert f"Host '{host}' is not an address of this server" in json.loads(data)["error"]


API = [
    "/predict",
    "/api/read-number",
    "/api/train",
    "/api/train/pause",
    "/api/train/resume",
    "/api/train/step",
    "/api/train/stop",
    "/api/lr",
    "/api/teach",
    "/api/save",
    "/api/view",
    "/api/snapshots",
    "/api/snapshot/0",
    "/api/snapshot/x",
    "/api/download/x.npz",
]
VALUES = [
    0,
    1,
    -1,
    0.5,
    1e308,
    -0.0,
    "",
    "x",
    "../x.npz",
    "a/b",
    True,
    None,
    [],
    {},
    [[0.5]],
    [[1.0] * 9] * 9,
    "conv 4 5, relu",
    "cnn",
    "adam",
    3,
    64,
    10**12,
    "NaN",
]
KEYS = [
    "image",
    "field",
    "label",
    "lr",
    "epochs",
    "batch_size",
    "limit",
    "preset",
    "layers",
    "optimizer",
    "augment",
    "seed",
    "continue",
    "name",
    "epoch",
    "x",
]


def test_random_api_requests_get_json_answers_never_a_server_error(tmp_path, capfd):
    """500 random bodies to every endpoint (runs start, pause, stop...): each answer is 2xx or a
    4xx with a reason, the server keeps serving, and it prints nothing."""
    from digitnet.app.serve.session import LiveSession
    from digitnet.data.datasets import DataSplits

    (X, y), (Xt, yt) = dn.load_mnist(dtype="uint8")
    session = LiveSession(
        dn.MLP(seed=0), DataSplits(X[:500], y[:500], Xt[:200], yt[:200], "test", "MNIST"), tmp_path
    )
    httpd = make_server(session, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, args=(POLL,), daemon=True).start()
    address = httpd.server_address[:2]
    rng = random.Random(1)
    statuses = set()
    try:
        for _ in range(500):
            path = rng.choice(API)
            body = {rng.choice(KEYS): rng.choice(VALUES) for _ in range(rng.randrange(0, 4))}
            if rng.random() < 0.1:
                body = rng.choice(VALUES)  # not even an object
            connection = http.client.HTTPConnection(*address, timeout=30)
            method = "GET" if path.startswith(("/api/view", "/api/snap", "/api/down")) else "POST"
            if rng.random() < 0.1:
                method = "GET" if method == "POST" else "POST"
            connection.request(method, path, json.dumps(body) if method == "POST" else None)
            response = connection.getresponse()
            answer = response.read()
            connection.close()
            statuses.add(response.status)
            assert response.status < 500, (path, body, answer)
            if response.status >= 400:
                assert json.loads(answer)["error"], (path, body)
    finally:
        session.close()
        httpd.shutdown()
        httpd.server_close()
    assert {200, 400, 404, 409} <= statuses
    assert capfd.readouterr().err == ""
