"""`digitnet serve [MODEL]`: the page in the browser (train live, draw, teach) until Ctrl-C."""

from __future__ import annotations

import argparse
from typing import cast

from ..networks import check_28x28
from . import arguments


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet serve`."""
    serve = commands.add_parser(
        "serve", help="a page in your browser: train live, draw a digit, teach the network"
    )
    serve.add_argument(
        "model", metavar="MODEL", nargs="?", help="start from this model (default: untrained)"
    )
    serve.add_argument(
        "--save-dir",
        metavar="DIR",
        help="folder for the page's saved models and taught.csv (default: the current folder)",
    )
    arguments.add_data(serve, "training data for runs from the page (bundled MNIST)")
    arguments.add_classes(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    serve.add_argument(
        "--port", type=arguments.port, default=8000, help="port (8000; 0 picks a free one)"
    )
    arguments.add_threads(serve, "the page's runs and its test-set scores")
    serve.add_argument(
        "--parts",
        metavar="DIR",
        help="the page's runs train with the parts you wrote in DIR (digitnet learn)",
    )
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Serve the page (train live, draw, teach) until Ctrl-C."""
    from ...model import MLP, load_model
    from ..serve import make_server, new_session

    if args.model is not None:
        model = load_model(args.model)
        check_28x28(model, args.model)
        start = args.model
    else:
        model, start = MLP(seed=0), "an untrained 784-128-64-10 network"
    parts = None
    if args.parts is not None:
        from ...learn.parts import load_parts, use_parts

        parts = load_parts(args.parts)
        if args.model is None:  # a new network: its weights from the learner's he_normal too
            use_parts(model, parts)
        checks = parts.checks()
        print(f"digitnet: the page trains with your parts from {parts.folder} ({checks})")
    session = new_session(
        model, args.data, args.save_dir, args.threads, parts, args.classes, name=args.model
    )  # name None: a new network, which takes the data's class names
    server = make_server(session, args.host, args.port)
    host, port = cast("tuple[str, int]", server.server_address[:2])
    print(f"digitnet: serving {start} at http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    print(f"digitnet: the page saves models and taught.csv into {session.save_dir}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("digitnet: stopping")
    finally:
        server.server_close()  # also ends a run and lets the worker finish its step
    print("digitnet: stopped")
    return 0
