"""What each `digitnet` subcommand does: one handler per command, called by cli.main.

Each handler takes the parsed arguments, imports what it needs (so that `digitnet --help` stays
light), prints its result and returns the exit code. Bad input raises DigitnetError, which
cli.main turns into one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import time

from .errors import DigitnetError
from .presets import DEFAULTS, resolve


def cmd_train(args: argparse.Namespace) -> int:
    """Train, print progress and the final test (or validation) accuracy, save the model."""
    from .datasets import load_data
    from .model import MLP
    from .optim import make_optimizer
    from .serialization import load_model

    settings = resolve({key: getattr(args, key) for key in DEFAULTS}, args.preset)
    model = None
    if args.init is not None:
        model = load_model(args.init)
        _check_matches_init(args, model)
    data = load_data(args.data, "uint8", args.limit, args.val_fraction, args.seed)
    n_features = data.X_train.shape[1]
    if model is None:
        model = MLP(
            [n_features, *settings["hidden"], 10],
            settings["activation"],
            seed=args.seed,
            dtype=settings["dtype"],
        )
    elif model.layer_sizes[0] != n_features:
        raise DigitnetError(
            f"{args.init}: model takes {model.layer_sizes[0]} inputs, "
            f"the data has {n_features} pixels per image"
        )
    optimizer = make_optimizer(settings["optimizer"], settings["lr"], settings["momentum"])
    eval_name = data.eval_name
    if not args.quiet:
        print(
            f"data: {data.source}: {len(data.X_train)} training images, "
            f"{len(data.X_eval)} {eval_name} images"
        )
        print(
            f"model: {model.layer_sizes} {model.activations[0] if model.activations else ''} "
            f"{model.dtype}; {settings['optimizer']} lr {settings['lr']:g} "
            f"({settings['schedule']}), batch {settings['batch_size']}, "
            f"{settings['epochs']} epochs"
        )
    # Quiet runs print no epoch lines, so they skip the per-epoch test evaluation (unless the
    # history file asks for it) and score the test set once, at the end.
    per_epoch_eval = not args.quiet or args.history is not None
    start = time.perf_counter()
    history = model.fit(
        data.X_train,
        data.y_train,
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        optimizer=optimizer,
        validation_data=(data.X_eval, data.y_eval) if per_epoch_eval else None,
        verbose=0 if args.quiet else 1,
        lr_schedule=settings["schedule"],
        warmup_epochs=settings["warmup_epochs"],
        validation_name="test" if eval_name == "test" else "val",
    )
    seconds = time.perf_counter() - start
    model.save(args.out)
    if args.history:
        history.to_csv(args.history)
    if args.plots:
        from .plots import write_plots

        _check_28x28(model, args.out)
        for path in write_plots(model, data.X_eval, data.y_eval, args.plots, history.history):
            print(f"wrote {path}")
    result = model.evaluate(data.X_eval, data.y_eval)
    print(
        f"{eval_name} accuracy: {result['accuracy']:.2%} (loss {result['loss']:.4f}, "
        f"n={len(data.y_eval)}) after {settings['epochs']} epochs in {seconds:.1f}s; "
        f"model saved to {args.out}"
    )
    return 0


def _check_matches_init(args: argparse.Namespace, model) -> None:
    """With --init, architecture flags must agree with the saved model (or be left out)."""
    if args.hidden is not None and args.hidden != model.layer_sizes[1:-1]:
        raise DigitnetError(
            f"--hidden {args.hidden} disagrees with {args.init}, whose hidden "
            f"layers are {model.layer_sizes[1:-1]}; leave --hidden out"
        )
    if args.activation is not None and any(a != args.activation for a in model.activations):
        raise DigitnetError(
            f"--activation {args.activation} disagrees with {args.init} "
            f"({model.activations}); leave --activation out"
        )
    if args.dtype is not None and args.dtype != model.dtype:
        raise DigitnetError(
            f"--dtype {args.dtype} disagrees with {args.init} ({model.dtype}); leave --dtype out"
        )


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Print test loss, accuracy and per-class accuracy (or JSON)."""
    from .datasets import load_test_set
    from .metrics import per_class_accuracy
    from .serialization import load_model

    model = load_model(args.model)
    X, y = load_test_set(args.data)
    if X.shape[1] != model.layer_sizes[0]:
        raise DigitnetError(
            f"{args.model} takes {model.layer_sizes[0]} inputs, the data has "
            f"{X.shape[1]} pixels per image"
        )
    result = model.evaluate(X, y)
    per_class = per_class_accuracy(model.predict(X), y, model.layer_sizes[-1])
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
    """Compare all analytical gradients with finite differences, for each activation."""
    from .gradcheck import TOLERANCE, check_all_activations

    results = check_all_activations(seed=args.seed)
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


def _check_28x28(model, name) -> None:
    if model.layer_sizes[0] != 784:
        raise DigitnetError(
            f"{name}: this command needs a model of 28x28 images (784 inputs); "
            f"it takes {model.layer_sizes[0]}"
        )


def cmd_plot(args: argparse.Namespace) -> int:
    """Write the pictures: curves (with --history), confusion matrix, mistakes, weights."""
    from .datasets import load_test_set
    from .plots import read_history_csv, write_plots
    from .serialization import load_model

    model = load_model(args.model)
    _check_28x28(model, args.model)
    history = read_history_csv(args.history) if args.history else None
    X, y = load_test_set(args.data)
    for path in write_plots(model, X, y, args.out, history):
        print(f"wrote {path}")
    if history is None:
        print("(no learning curves: give --history FILE.csv from `digitnet train --history`)")
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    """Read the digit in each image; print it with the top 3 probabilities (or JSON)."""
    from pathlib import Path

    from .preprocess import load_grayscale, save_input_png, to_mnist
    from .serialization import load_model

    model = load_model(args.model)
    _check_28x28(model, args.model)
    answers = []
    for name in args.images:
        field = to_mnist(load_grayscale(name), name)
        probs = model.predict_proba(field.reshape(1, -1))[0]
        answers.append(
            {
                "file": name,
                "digit": int(probs.argmax()),
                "probabilities": [float(p) for p in probs],
            }
        )
        if args.show_input is not None:
            seen = Path(args.show_input) / f"{Path(name).stem}.seen.png"
            seen.parent.mkdir(parents=True, exist_ok=True)
            save_input_png(field, seen)
            if not args.json:
                print(f"saved what the network saw in {seen}")
    if args.json:
        print(json.dumps(answers))
        return 0
    for answer in answers:
        probs = answer["probabilities"]
        top = sorted(range(10), key=lambda d: -probs[d])[:3]
        ranked = ", ".join(f"{d}: {probs[d]:.1%}" for d in top)
        print(f"{answer['file']}: {answer['digit']}   ({ranked})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the drawing page and POST /predict until Ctrl-C."""
    from .serialization import load_model
    from .server import make_server

    model = load_model(args.model)
    _check_28x28(model, args.model)
    server = make_server(model, args.host, args.port)
    host, port = server.server_address[:2]
    print(f"digitnet: serving {args.model} at http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("digitnet: stopped")
    finally:
        server.server_close()
    return 0
