"""What each `digitnet` subcommand does: one handler per command, called by cli.main.

Each handler takes the parsed arguments, imports what it needs (so that `digitnet --help` stays
light), prints its result and returns the exit code. Bad input raises DigitnetError, which
cli.main turns into one line on stderr.
"""

from __future__ import annotations

import argparse
import json
from typing import cast

from ..errors import DigitnetError
from .compare_command import cmd_compare  # noqa: F401 (compare has a module of its own)
from .prediction import check_28x28, cmd_predict  # noqa: F401 (predict has a module of its own)
from .train_command import cmd_train  # noqa: F401


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Print test loss, accuracy and per-class accuracy (or JSON)."""
    from ..data.datasets import load_test_set
    from ..model import load_model
    from ..nn.metrics import per_class_accuracy

    model = load_model(args.model)
    X, y = load_test_set(args.data)
    if X.shape[1] != model.n_inputs:
        raise DigitnetError(
            f"{args.model} takes {model.n_inputs} inputs, the data has "
            f"{X.shape[1]} pixels per image"
        )
    result = model.evaluate(X, y)
    per_class = per_class_accuracy(model.predict(X), y, model.n_classes)
    if args.json:
        print(
            json.dumps(
                {
                    "accuracy": result["accuracy"],
                    "loss": result["loss"],
                    "n": len(y),
                    "per_class_accuracy": [None if c != c else float(c) for c in per_class],
                }
            )
        )
        return 0
    print(f"accuracy {result['accuracy']:.2%}  loss {result['loss']:.4f}  n {len(y)}")
    print("per-class accuracy:")
    for digit, value in enumerate(per_class):
        print(f"  {digit}: {value:.2%}" if value == value else f"  {digit}: (no samples)")
    return 0


def cmd_gradcheck(args: argparse.Namespace) -> int:
    """Compare all analytical gradients with finite differences: an MLP for each activation and
    a small CNN, or the network given with --layers (on small images)."""
    from ..nn.gradcheck import TOLERANCE, check_all_activations, check_cnn

    if args.layers is None:
        results = check_all_activations(seed=args.seed)
        results["cnn"] = check_cnn(seed=args.seed)
    else:
        results = {"--layers": check_cnn(args.layers, args.image_size, seed=args.seed)}
    worst = 0.0
    print(
        f"largest relative error per tensor (float64, central differences; must be "
        f"< {TOLERANCE:g})"
    )
    for activation, errors in results.items():
        cells = "  ".join(f"{name} {error:.1e}" for name, error in errors.items())
        print(f"  {activation:<10}  {cells}")
        worst = max(worst, *errors.values())
    ok = worst < TOLERANCE
    print(f"{'OK' if ok else 'FAILED'}: largest error {worst:.1e}")
    return 0 if ok else 1


def cmd_plot(args: argparse.Namespace) -> int:
    """Write the pictures: curves (with --history), confusion matrix, mistakes, weights."""
    from ..data.datasets import load_test_set
    from ..model import load_model
    from .plots import read_history_csv, write_plots

    model = load_model(args.model)
    check_28x28(model, args.model)
    history = read_history_csv(args.history) if args.history else None
    X, y = load_test_set(args.data)
    for path in write_plots(model, X, y, args.out, history):
        print(f"wrote {path}")
    if history is None:
        print("(no learning curves: give --history FILE.csv from `digitnet train --history`)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the page (train live, draw, teach) until Ctrl-C."""
    from ..model import MLP, load_model
    from .server import make_server, new_session

    if args.model is not None:
        model = load_model(args.model)
        check_28x28(model, args.model)
        start = args.model
    else:
        model, start = MLP(seed=0), "an untrained 784-128-64-10 network"
    session = new_session(model, args.data, args.save_dir)
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
