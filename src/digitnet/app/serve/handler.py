"""How the server answers one request: the routes (the page's files, the JSON API), the checks
on who asks (Host, Origin) and on the body (length, JSON), and the answer or the HTTP status an
error stands for. The endpoints: docs/live.md; what the requests act on: session.py.

Only the files listed in STATIC_FILES are ever served, so no path can reach anything else on
disk. A body over MAX_BODY_BYTES gets 413 and the connection is closed; the refused body is first
read and thrown away for a bounded time and size, so that a client still sending it reads the 413
rather than a reset (a "lingering close", as nginx and Apache do).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from ...errors import DigitnetError
from .errors import error_status
from .log import LOG
from .session import LiveSession

STATIC_DIR = Path(__file__).resolve().parent / "static"
JAVASCRIPT = "text/javascript; charset=utf-8"
# The page's ES modules (static/js/NAME.js), one per panel; main.js imports the others.
MODULES = (
    "api classes pictures ink pad verdict bars hidden teach numberpad numberreading form train "
    "curves strip confusion filters layers histograms time save main"
).split()
STATIC_FILES = {  # URL path -> (file in STATIC_DIR, content type)
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
    **{f"/js/{name}.js": (f"js/{name}.js", JAVASCRIPT) for name in MODULES},
}
# The JSON API: each path and the LiveSession method that answers it (docs/live.md lists them
# with those methods' docstrings, generated from here). A <part> of a path is the request's own.
GET_ROUTES = {
    "/api/options": "options",
    "/api/train": "status",
    "/api/view": "live_view",
    "/api/snapshots": "snapshot_list",
    "/api/snapshot/<epoch>": "snapshot",
    "/api/download/<name>": "download",
}
POST_ROUTES = {
    "/api/train": "start_run",
    "/api/train/pause": "control",
    "/api/train/resume": "control",
    "/api/train/step": "control",
    "/api/train/stop": "control",
    "/api/lr": "set_lr",
    "/predict": "predict",
    "/api/read-number": "read_number",
    "/api/teach": "teach",
    "/api/save": "save",
}
MAX_BODY_BYTES = 4 * 1024 * 1024  # a 560x560 image as JSON is about 2 MB


class Handler(BaseHTTPRequestHandler):
    """Routes requests: GET for the page's files and the live views, POST for the actions."""

    session: LiveSession  # set on the subclass that make_server creates
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
        session = self.session
        if path in STATIC_FILES:
            name, content_type = STATIC_FILES[path]
            self._send(HTTPStatus.OK, (STATIC_DIR / name).read_bytes(), content_type)
            return
        found = match_route(GET_ROUTES, path)
        if found is None:
            self._not_served("GET", path)
            return
        method, part = getattr(session, found[0]), found[1]
        if found[0] == "download":  # a model file, as a download
            self._answer(
                lambda: method(part),
                content_type="application/octet-stream",
                extra={"Content-Disposition": f'attachment; filename="{part}"'},
            )
        elif part is not None:
            self._answer(lambda: method(part))
        else:
            self._answer(method)

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        body = self._read_body(required="Transfer-Encoding" in self.headers)
        if body is None:
            return  # _read_body has answered (411 or 413)
        if self._host_refused() or self._origin_refused():
            return
        found = match_route(POST_ROUTES, path)
        if found is None:
            self._not_served("POST", path)
            return
        try:
            payload = json.loads(body) if body.strip() else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": "body is not valid JSON"})
            return
        method = getattr(self.session, found[0])
        if found[0] == "control":  # the action is the path's last part; the body is ignored
            action = path.rsplit("/", 1)[1]
            self._answer(lambda: method(action))
        else:
            self._answer(lambda: method(payload))

    def _not_served(self, verb: str, path: str) -> None:
        """405 for a path served to the other method (or a page's file), else 404."""
        other = POST_ROUTES if verb == "GET" else {**GET_ROUTES, **STATIC_FILES}
        if match_route(other, path) is not None:
            self._send_json(
                HTTPStatus.METHOD_NOT_ALLOWED, {"error": f"{verb} {path} is not served"}
            )
        else:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {path}"})

    def _answer(
        self,
        produce: Callable[[], object],
        content_type: str = "application/json",
        extra: dict | None = None,
    ) -> None:
        """Answer with what produce() returns (JSON, or bytes), or with the 4xx its error means;
        a failure of the machine (a disk that refuses a file) or a bug answers 500, with the
        reason, and costs one line in the terminal."""
        try:
            result = produce()
        except DigitnetError as error:
            self._send_json(error_status(error), {"error": str(error)})
            return
        except Exception as error:  # noqa: BLE001 (the client gets an answer, whatever it was)
            reason = f"{type(error).__name__}: {error}"
            LOG.error("error answering %s: %s", self.path, reason)
            self._send_json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": reason})
            return
        if isinstance(result, bytes):
            self._send(HTTPStatus.OK, result, content_type, extra)
        else:
            self._send_json(HTTPStatus.OK, result)  # type: ignore[arg-type]

    def _origin_refused(self) -> bool:
        """Answer 403, and return True, for a POST that another web site's page sends: its
        Origin header is not this page's own (http:// and the Host it was sent to). Requests
        without Origin (curl, scripts: not a browser page) pass."""
        origin = self.headers.get("Origin")
        if origin is None or origin == f"http://{self.headers.get('Host')}":
            return False
        return self._forbid(
            f"requests from {origin!r} are refused: only this server's own page may"
        )

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
        return self._forbid(
            f"Host {host!r} is not an address of this server; open it by IP address"
        )

    def _forbid(self, reason: str) -> bool:
        """Answer 403 with `reason` and close the connection; True (the request was refused)."""
        self.close_connection = True
        self._send_json(HTTPStatus.FORBIDDEN, {"error": reason})
        return True

    def _read_body(self, required: bool = True) -> bytes | None:
        """Read the request's body, so that the next request on this connection starts clean.
        No Content-Length means no body, unless `required` (a chunked body, which is not read).
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


def match_route(routes: dict, path: str) -> tuple[str, str | None] | None:
    """What answers `path` among `routes` (a <part> of a route matches any rest of the path), and
    that rest; None if nothing does."""
    if path in routes and "<" not in path:
        return routes[path], None
    for route, answer in routes.items():
        if "<" in route and path.startswith(route[: route.index("<")]):
            return answer, path[route.index("<") :]
    return None


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
