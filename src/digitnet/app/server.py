"""The drawing page's local web server: the page's static files, and POST /predict.

Python's standard library only (http.server): no web framework. Binds 127.0.0.1 (this machine
only) unless told otherwise. Only the files listed in STATIC_FILES are ever served, so no path can
reach anything else on disk.

    POST /predict   {"image": [[...], ...]}   rows of grayscale values in [0, 1], ink bright,
                                              any size from 8x8 to 560x560
    -> {"digit": d, "probabilities": [10 floats], "input": 28x28 rows,
        "activations": [one per hidden layer: a list of floats, or for a conv layer its
                        feature maps, C lists of H rows of W floats]}

A body over MAX_BODY_BYTES gets 413 and the connection is closed; the refused body is first read
and thrown away for a bounded time and size, so that a client still sending it reads the 413
rather than a reset (a "lingering close", as nginx and Apache do).
"""

from __future__ import annotations

import ipaddress
import json
import math
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

from ..data.preprocess import to_mnist
from ..errors import DigitnetError
from ..nn.losses import softmax
from ..nn.network import Network

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {  # URL path -> (file in STATIC_DIR, content type)
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
}
MAX_BODY_BYTES = 4 * 1024 * 1024  # a 560x560 image as JSON is about 2 MB
MIN_SIDE, MAX_SIDE = 8, 560


def parse_image(payload: object) -> np.ndarray:
    """Validate the JSON body of /predict and return its image as a float32 array."""
    if not isinstance(payload, dict) or "image" not in payload:
        raise DigitnetError('expected a JSON object {"image": [[...], ...]}')
    rows = payload["image"]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise DigitnetError('"image" must be a list of rows, each a list of numbers')
    height, width = len(rows), len(rows[0])
    if not (MIN_SIDE <= height <= MAX_SIDE and MIN_SIDE <= width <= MAX_SIDE):
        raise DigitnetError(
            f'"image" is {width}x{height}; each side must be between {MIN_SIDE} and {MAX_SIDE}'
        )
    if any(len(r) != width for r in rows):
        raise DigitnetError('"image" rows must all have the same length')
    for row in rows:
        for value in row:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise DigitnetError(f'"image" values must be numbers, got {value!r}')
            if not (0.0 <= value <= 1.0) or math.isnan(value):
                raise DigitnetError(f'"image" values must be in [0, 1], got {value!r}')
    return np.asarray(rows, dtype=np.float32)


def predict_image(model: Network, image: np.ndarray) -> dict:
    """The /predict answer for a grayscale image (ink bright): digit, probabilities, the 28x28
    input the network saw, and every hidden layer's activations."""
    field = to_mnist(image, "image")
    hidden: list[np.ndarray] = []  # each activation layer's output
    x = field.reshape(1, *model.input_shape).astype(model.dtype)
    logits = model.forward(x, activations=hidden)
    probs = softmax(logits.astype(np.float64))[0]
    return {
        "digit": int(probs.argmax()),
        "probabilities": probs.tolist(),
        "input": np.round(field, 3).tolist(),
        "activations": [activation_values(h[0]) for h in hidden],
    }


def activation_values(h: np.ndarray) -> list:
    """One image's activations of one layer as JSON lists: a vector (D,) to 4 decimals, feature
    maps (C, H, W) to 3. (For conv layers of 16 and 32 channels, 18,816 numbers: about 95 KB.)"""
    decimals = 4 if h.ndim == 1 else 3  # maps are many; 3 decimals is finer than a grey level
    return np.round(h.astype(np.float64), decimals).tolist()  # float64: no float32 tails


class Handler(BaseHTTPRequestHandler):
    """Routes requests: GET for the page's files, POST /predict, and errors for the rest."""

    model: Network  # set on the subclass that make_server creates
    server_version = "digitnet"
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a client may stall mid-request before its connection is dropped
    # After a 413, how much of the refused body is read and dropped before closing: closing with
    # unread data makes the kernel send a reset, which can destroy the 413 before the client
    # reads it. Bounded in bytes and in total time, so that no client holds a thread with it.
    drain_bytes = 64 * 1024 * 1024
    drain_seconds = 2.0
    # http.server's own error answers (malformed request line, unknown method): JSON too
    error_content_type = "application/json"
    error_message_format = '{"error": "%(code)d %(message)s"}'

    def do_GET(self) -> None:  # noqa: N802 (the name http.server looks for)
        if self._host_refused():
            return
        path = self.path.split("?", 1)[0]
        if path not in STATIC_FILES:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {path}"})
            return
        name, content_type = STATIC_FILES[path]
        self._send(HTTPStatus.OK, (STATIC_DIR / name).read_bytes(), content_type)

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        body = self._read_body()
        if body is None:
            return  # _read_body has answered (411 or 413)
        if self._host_refused():
            return
        if path != "/predict":
            status = (
                HTTPStatus.METHOD_NOT_ALLOWED if path in STATIC_FILES else HTTPStatus.NOT_FOUND
            )
            self._send_json(status, {"error": f"POST {path} is not served"})
            return
        try:
            answer = predict_image(self.model, parse_image(json.loads(body)))
        except (json.JSONDecodeError, UnicodeDecodeError):
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": "body is not valid JSON"})
            return
        except DigitnetError as error:
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
            return
        self._send_json(HTTPStatus.OK, answer)

    def _method_not_allowed(self) -> None:
        if self._read_body(required=False) is not None:
            self._send_json(
                HTTPStatus.METHOD_NOT_ALLOWED,
                {"error": f"{self.command} not allowed"},
                extra={"Allow": "GET, POST"},
            )

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _method_not_allowed  # noqa: N815

    def _host_refused(self) -> bool:
        """Answer 403, and return True, for a request whose Host header is a domain name other
        than localhost: a web page whose domain was re-pointed at this machine (DNS rebinding)
        must not be able to use the server. IP addresses and localhost pass, as does a request
        without a Host header (HTTP/1.0)."""
        host = self.headers.get("Host")
        if host is None or is_address_or_localhost(host):
            return False
        self.close_connection = True
        self._send_json(
            HTTPStatus.FORBIDDEN,
            {"error": f"Host {host!r} is not an address of this server; open it by IP address"},
        )
        return True

    def _read_body(self, required: bool = True) -> bytes | None:
        """Read the request's body, so that the next request on this connection starts clean.
        Answers 411 (no length) or 413 (too long) itself and returns None in those cases."""
        length = self.headers.get("Content-Length")
        if length is None and not required:
            return b""
        if length is None or not length.isdigit():
            self.close_connection = True
            self._send_json(HTTPStatus.LENGTH_REQUIRED, {"error": "Content-Length required"})
            return None
        if int(length) > MAX_BODY_BYTES:
            self.close_connection = True  # do not parse an oversized body, only drain it
            self._send_json(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"body over {MAX_BODY_BYTES} bytes"}
            )
            self._drain_and_close(int(length))
            return None
        body = self.rfile.read(int(length))
        if len(body) < int(length):  # the client closed before sending it all: nobody to answer
            self.close_connection = True
            return None
        return body

    def _drain_and_close(self, length: int) -> None:
        """Shut our side (the client sees the answer end), then read and drop up to `length`
        bytes of the refused body, stopping at drain_bytes or after drain_seconds in total."""
        left = min(length, self.drain_bytes)
        deadline = time.monotonic() + self.drain_seconds
        try:
            self.connection.shutdown(socket.SHUT_WR)
            while left > 0 and (remaining := deadline - time.monotonic()) > 0:
                self.connection.settimeout(remaining)  # a total deadline, not one per read
                chunk = self.rfile.read1(min(left, 65536))
                if not chunk:
                    return  # the client has closed
                left -= len(chunk)
        except OSError:  # the deadline passed (TimeoutError) or the client reset: stop here
            pass

    def _send_json(self, status: HTTPStatus, data: dict, extra: dict | None = None) -> None:
        body = json.dumps(data, separators=(",", ":"))  # compact: feature maps are large
        self._send(status, body.encode(), "application/json", extra)

    def _send(
        self, status: HTTPStatus, body: bytes, content_type: str, extra: dict | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if self.close_connection:
            self.send_header("Connection", "close")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: a drawing page sends a request per stroke


def is_address_or_localhost(host: str) -> bool:
    """Whether a Host header ("127.0.0.1:8000", "[::1]:8000", "localhost") names this machine by
    an IP address or as localhost, rather than by a domain name."""
    name = host.strip()
    if name.startswith("["):  # an IPv6 address, with its port after the bracket
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    if name.lower() == "localhost":
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Server(ThreadingHTTPServer):
    """One thread per connection. A client that goes away mid-request (closed connection, reset,
    broken pipe) costs one short line on stderr, never a traceback, and the server serves on."""

    daemon_threads = True
    log_lock = threading.Lock()

    def handle_error(self, request: object, client_address: tuple) -> None:
        """Called for an exception that escaped a request's handler: one line, no traceback."""
        error = sys.exc_info()[1]
        where = ":".join(str(part) for part in client_address[:2])
        if isinstance(error, (ConnectionError, TimeoutError)):
            line = f"digitnet: {where} went away mid-request ({type(error).__name__})"
        else:
            line = f"digitnet: error answering {where}: {type(error).__name__}: {error}"
        with self.log_lock:  # one whole line at a time: threads report at once
            sys.stderr.write(line + "\n")
            sys.stderr.flush()


def make_server(model: Network, host: str = "127.0.0.1", port: int = 8000) -> Server:
    """A server for `model` (not yet serving; call serve_forever). Port 0 picks a free port."""
    handler = type("DigitnetHandler", (Handler,), {"model": model})
    try:
        return Server((host, port), handler)
    except OSError as error:
        raise DigitnetError(f"cannot listen on {host}:{port} ({error.strerror})") from None
