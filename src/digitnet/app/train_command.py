"""`digitnet train`: one training run from the command line, and how it survives interruption.

Settings come from the flags, a preset and the defaults (presets.resolve), or, with --resume,
from a checkpoint, which also records where the run writes (--out, --history, --plots). With
--checkpoint-dir, the whole state is saved after every epoch. The first Ctrl-C lets the current
epoch finish, saves, and exits (status 130); a second Ctrl-C stops at once, leaving the
checkpoint of the previous epoch.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import time
from pathlib import Path

import numpy as np

from ..errors import DigitnetError
from ..training.settings import DEFAULTS, resolve
from .cli import EXIT_INTERRUPTED

# Settings of a run beyond presets.DEFAULTS, with their defaults.
RUN_DEFAULTS = {"seed": 0, "data": None, "limit": None, "val_fraction": 0.1}
# Where a run writes. Saved with its settings (as absolute paths), so that --resume writes to the
# same files from any folder; given again with --resume, a flag overrides.
OUTPUTS = {"out": "model.npz", "history": None, "plots": None}


def cmd_train(args: argparse.Namespace) -> int:
    """Train, print progress and the final test (or validation) accuracy, save the model."""
    from ..data.datasets import load_data
    from ..optim.optimizers import make_optimizer
    from ..training.checkpoint import load_checkpoint, save_checkpoint
    from ..training.history import History

    explicit = {key: getattr(args, key) for key in [*DEFAULTS, *RUN_DEFAULTS]}
    if args.resume:
        if args.init or args.preset:
            raise DigitnetError("--resume continues a run as it was: leave --init/--preset out")
        checkpoint = load_checkpoint(args.resume)
        run = checkpoint.settings
        _check_same(explicit, run, f"the run in {args.resume}")
        model, done, history = checkpoint.model, checkpoint.epoch, checkpoint.history
    else:
        run = {
            **resolve(explicit, args.preset),
            **{k: v if explicit[k] is None else explicit[k] for k, v in RUN_DEFAULTS.items()},
        }
        if run["data"] is not None:  # absolute, so that --resume works from any folder
            run["data"] = str(Path(run["data"]).resolve())
        model, done, history = None, 0, History()
    run.update(_outputs(args, run))
    for target in (run["out"], run["history"]):  # fail now, not after training
        if target:
            _prepare_folder(Path(target).parent)
    for folder in (args.checkpoint_dir, run["plots"]):
        if folder:
            _prepare_folder(Path(folder))
    if args.show_augmented and run["augment"] == "none":
        raise DigitnetError("--show-augmented needs --augment affine or elastic")
    data = load_data(run["data"], "uint8", run["limit"], run["val_fraction"], run["seed"])
    X_train, y_train, validation = data.X_train, data.y_train, (data.X_eval, data.y_eval)
    validation_name = "test" if data.eval_name == "test" else "val"
    if run["validation_split"]:  # choose on a split of the training set; test only at the end
        from ..data.datasets import split_validation

        (X_train, y_train), validation = split_validation(
            X_train, y_train, run["validation_split"], run["seed"]
        )
        validation_name = "val"
    elif run["early_stopping"]:
        raise DigitnetError("--early-stopping needs --validation-split (never the test set)")
    model = model or _new_model(args, run, data.X_train.shape[1])
    model.set_dropout(run["dropout"], run["input_dropout"])
    optimizer = make_optimizer(run["optimizer"], run["lr"], run["momentum"], run["weight_decay"])
    augment = None
    if run["augment"] != "none":
        from ..data.augment import PRESETS as AUGMENTATIONS

        augment = AUGMENTATIONS[run["augment"]]
        if args.show_augmented:
            from .plots import plot_augmented

            print(f"wrote {plot_augmented(X_train[:8], augment, Path(args.show_augmented))}")
    if args.resume:
        optimizer.load_state_dict(checkpoint.optimizer_state, [model.flat_params])
    checkpoint_dir = args.checkpoint_dir or args.resume
    if not args.quiet:
        _print_plan(data, model, run, done)

    stop = _StopAfterEpoch()

    def on_epoch_end(epoch: int, metrics: dict) -> bool:
        history.append(epoch, **metrics)
        if checkpoint_dir:
            save_checkpoint(checkpoint_dir, model, optimizer, epoch, history, run)
        return stop.requested

    # Quiet runs print no epoch lines, so they skip the per-epoch test evaluation (unless the
    # history file asks for it) and score the test set once, at the end.
    per_epoch_eval = not args.quiet or run["history"] is not None or run["early_stopping"]
    start = time.perf_counter()
    with stop:
        model.fit(
            X_train,
            y_train,
            epochs=run["epochs"],
            batch_size=run["batch_size"],
            optimizer=optimizer,
            validation_data=validation if per_epoch_eval else None,
            augment=augment,
            early_stopping=run["early_stopping"] or None,
            verbose=0 if args.quiet else 1,
            lr_schedule=run["schedule"],
            warmup_epochs=run["warmup_epochs"],
            initial_epoch=done,
            validation_name=validation_name,
            on_epoch_end=on_epoch_end,
        )
    seconds = time.perf_counter() - start
    # as given; a new run's default as the user would type it; a resumed run's recorded path
    out = args.out or (OUTPUTS["out"] if not args.resume else run["out"])
    model.save(out)
    if run["history"]:
        history.to_csv(run["history"])
    if run["plots"]:
        from .plots import write_plots
        from .prediction import check_28x28

        check_28x28(model, out)
        curves_name = "test" if validation_name == "test" else "validation"
        pictures = write_plots(
            model, data.X_eval, data.y_eval, run["plots"], history.history, curves_name
        )
        for path in pictures:
            print(f"wrote {path}")
    result = model.evaluate(data.X_eval, data.y_eval)
    epochs_done = history.epoch[-1] if history.epoch else done
    print(
        f"{data.eval_name} accuracy: {result['accuracy']:.2%} (loss {result['loss']:.4f}, "
        f"n={len(data.y_eval)}) after {epochs_done} epochs in {seconds:.1f}s; "
        f"model saved to {out}"
    )
    if stop.requested and epochs_done < run["epochs"]:
        # The checkpoint holds the settings and outputs: this command alone continues the run.
        hint = (
            f"; continue with: digitnet train --resume "
            f"{shlex.quote(os.path.abspath(checkpoint_dir))}"
            if checkpoint_dir
            else " (add --checkpoint-dir DIR to be able to resume)"
        )
        print(
            f"digitnet: stopped after epoch {epochs_done} of {run['epochs']} at your "
            f"request{hint}",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    return 0


def _outputs(args: argparse.Namespace, saved: dict) -> dict:
    """Where this run writes: the flags given, else where the (resumed) run wrote, else OUTPUTS;
    as absolute paths. A checkpoint from before outputs were recorded falls back to OUTPUTS."""
    chosen = {}
    for key, default in OUTPUTS.items():
        value = getattr(args, key)
        value = saved.get(key, default) if value is None else value
        chosen[key] = None if value is None else os.path.abspath(value)
    return chosen


def _new_model(args: argparse.Namespace, run: dict, n_features: int):
    """A fresh network for this run, or the --init model when the flags agree with it."""
    from ..model import MLP
    from ..serialization import load_model

    if args.init is None:
        return MLP(
            [n_features, *run["hidden"], 10],
            run["activation"],
            seed=run["seed"],
            dtype=run["dtype"],
        )
    model = load_model(args.init)
    saved = {
        "hidden": model.layer_sizes[1:-1],
        "dtype": model.dtype,
        "activation": model.activations[0] if model.activations else None,
    }
    _check_same({k: getattr(args, k) for k in saved}, saved, args.init)
    if model.layer_sizes[0] != n_features:
        raise DigitnetError(
            f"{args.init}: model takes {model.layer_sizes[0]} inputs, "
            f"the data has {n_features} pixels per image"
        )
    model.rng = np.random.default_rng(run["seed"])  # shuffling follows --seed
    return model


def _prepare_folder(folder: Path) -> None:
    """Create `folder` if needed and make sure we can write there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DigitnetError(f"{folder}: cannot create the folder ({error.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise DigitnetError(f"{folder}: no permission to write there")


def _check_same(explicit: dict, saved: dict, where: str) -> None:
    """Flags given explicitly must agree with what `where` (a checkpoint or model) says."""
    for key, value in explicit.items():
        if value is not None and key in saved and value != saved[key]:
            flag = "--" + key.replace("_", "-")
            raise DigitnetError(
                f"{flag} {value} disagrees with {where} ({saved[key]}); leave {flag} out"
            )


def _print_plan(data, model, run: dict, done: int) -> None:
    print(
        f"data: {data.source}: {len(data.X_train)} training images, "
        f"{len(data.X_eval)} {data.eval_name} images"
    )
    resuming = f", resuming after epoch {done}" if done else ""
    print(
        f"model: {model.layer_sizes} {model.activations[0] if model.activations else ''} "
        f"{model.dtype}; {run['optimizer']} lr {run['lr']:g} ({run['schedule']}), "
        f"batch {run['batch_size']}, {run['epochs']} epochs{resuming}"
    )


class _StopAfterEpoch:
    """While active, the first Ctrl-C (SIGINT) asks training to stop after the current epoch;
    a second one interrupts at once (KeyboardInterrupt), as usual."""

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def __enter__(self):
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: leave Ctrl-C alone
            self._previous = None
        return self

    def _handle(self, signum, frame) -> None:
        self.requested = True
        signal.signal(signal.SIGINT, self._previous)
        print(
            "\ndigitnet: stopping after this epoch (Ctrl-C again to stop at once)",
            file=sys.stderr,
            flush=True,
        )

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
