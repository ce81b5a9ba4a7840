"""The page's local web server: its static files, and the JSON API of the drawing pad and of
live training (docs/live.md lists every endpoint).

Python's standard library only (http.server): no web framework. Binds 127.0.0.1 (this machine
only) unless told otherwise. This module makes the server (one thread per connection); each
request is answered by handler.py's Handler; what the requests act on (the network, the run, the
snapshots) is the LiveSession (session.py). The wide pad's POST /api/read-number answers with
the number on it (drawing.read_number_image), for a network of digits only: one of a named set
(page_classes) reads one drawing at a time. The drawing pad's endpoint:

    POST /predict   {"image": [[...], ...]}   rows of grayscale values in [0, 1], ink bright,
                                              any size from 8x8 to 560x560; "epoch": a snapshot
    -> {"digit": d, "class": its name ("3", or a named set's "Dress"), "confidence": p,
        "sure": p >= answers.UNSURE_BELOW, "probabilities": [10 floats], "input": 28x28 rows,
        "activations": [one per hidden layer: a list of floats, or for a conv layer its
                        feature maps, C lists of H rows of W floats],
        "saliency": 28x28 rows, d(score of the digit) / d(pixel), "epoch": e or null}

Bad input gets a 4xx answer {"error": "the reason"}: 400 malformed, 403 another site's request,
404 no such thing, 405 a method not served, 409 not possible now (a run under way, none to
pause), 411/413 bodies; 503 when the network stayed busy too long to take the job, 500 for a
failure of the machine (a disk that refuses a file) or a bug.
"""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from pathlib import Path

from ...data.classes import describe_classes, short_names
from ...data.datasets import DataSplits, load_data, require_ten_classes
from ...errors import DigitnetError
from ...learn.parts import Parts
from ...nn.class_names import digit_names
from ...nn.network import Network
from .handler import STATIC_DIR, STATIC_FILES, Handler
from .log import LOG
from .session import LiveSession

__all__ = ["STATIC_DIR", "STATIC_FILES", "Server", "make_server", "new_session", "page_classes"]


class Server(ThreadingHTTPServer):
    """One thread per connection. A client that goes away mid-request (closed connection, reset,
    broken pipe) costs one short line on stderr, never a traceback, and the server serves on."""

    daemon_threads = True
    session: LiveSession | None = None  # make_server's

    def server_close(self) -> None:
        """Stop listening, then stop the session's run and let its worker finish its step."""
        super().server_close()
        if self.session is not None:
            self.session.close()

    def handle_error(self, request: object, client_address: tuple) -> None:
        """Called for an exception that escaped a request's handler: one line, no traceback."""
        error = sys.exc_info()[1]
        where = ":".join(str(part) for part in client_address[:2])
        if isinstance(error, (ConnectionError, TimeoutError)):
            LOG.warning("%s went away mid-request (%s)", where, type(error).__name__)
        else:
            LOG.error("error answering %s: %s: %s", where, type(error).__name__, error)


def make_server(model: Network | LiveSession, host: str = "127.0.0.1", port: int = 8000) -> Server:
    """A server for a LiveSession, or for a network (a session that trains on bundled MNIST and
    saves into the current folder). Not yet serving: call serve_forever. Port 0 picks a free
    port."""
    session = model if isinstance(model, LiveSession) else new_session(model)
    handler = type("DigitnetHandler", (Handler,), {"session": session})
    try:
        server = Server((host, port), handler)
    except OSError as error:
        raise DigitnetError(f"cannot listen on {host}:{port} ({error.strerror})") from None
    server.session = session
    return server


def new_session(
    model: Network,
    data: str | None = None,
    save_dir: str | Path | None = None,
    threads: int | None = None,
    parts: Parts | None = None,
    classes: str | None = None,
    name: str | None = "the model",
) -> LiveSession:
    """A LiveSession for `model`, with the training data of `digitnet train --data` (bundled
    MNIST by default; `classes` names its labels, as --classes), saving into `save_dir` (by
    default the current folder), computing on `threads` threads (by default the cores), with a
    learner's `parts` (learn.parts) if given. `name`: the model's, for messages; None for a new
    network, which takes the data's class names."""
    folder = Path(save_dir) if save_dir is not None else Path.cwd()
    if not folder.is_dir():
        raise DigitnetError(f"{folder}: no such folder to save into")
    splits = require_ten_classes(load_data(data, "uint8", classes=classes), "the live page")
    model.classes = page_classes(model, splits, name)
    return LiveSession(model, splits, folder.resolve(), threads=threads, parts=parts)


def page_classes(model: Network, splits: DataSplits, name: str | None) -> tuple[str, ...] | None:
    """The names the page shows the classes with (None: the digits): the data's, which a given
    model (`name`; None: a new one) must read too, as the page trains and teaches it on that
    data; refused in one line if they differ or the model does not score ten classes."""
    if model.n_classes != 10:
        raise DigitnetError(
            f"{name or 'the network'}: the live page reads networks of ten classes; this one "
            f"scores {model.n_classes}"
        )
    if splits.classes is not None and len(splits.classes) != 10:
        raise DigitnetError(
            f"{splits.source}: names {short_names(splits.classes)}; the live page shows named "
            "sets of exactly ten classes"
        )
    if name is not None and model.classes != (splits.classes or digit_names(10)):
        raise DigitnetError(
            f"{name} reads {describe_classes(model.class_names)}, {splits.source} holds "
            f"{describe_classes(splits.classes)}: give --data the set it was trained on "
            "(or --classes)"
        )
    return splits.classes  # the digits' names, given as such, the setter makes None
