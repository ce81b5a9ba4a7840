"""`digitnet train`: one training run from the command line, and how it survives interruption.

Settings come from the flags, a preset and the defaults (settings.resolve), or, with --resume,
from a checkpoint, which also records where the run writes (--out, --history, --plots). With
--checkpoint-dir, the whole state is saved after every epoch. The first Ctrl-C lets the current
epoch finish, saves, and exits (status 130); a second Ctrl-C stops at once, leaving the
checkpoint of the previous epoch.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
import time
from pathlib import Path

from ..data.augment import PRESETS as AUGMENTATIONS
from ..data.datasets import DataSplits, load_data, split_validation
from ..errors import DigitnetError
from ..nn.network import Network
from ..optim import make_optimizer
from ..training.callbacks import Callback, EarlyStopping
from ..training.checkpoint import load_checkpoint
from ..training.history import History
from ..training.loop import default_callbacks, fit
from ..training.settings import OUTPUTS, RECIPE, RUN, RunSettings, resolve
from .exit_codes import INTERRUPTED
from .run_callbacks import SaveCheckpoint, StopAfterEpoch
from .run_model import check_layers_flags, check_same, describe, is_mlp, new_model

DEFAULT_OUT = "model.npz"


def cmd_train(args: argparse.Namespace) -> int:
    """Train, print progress and the final test (or validation) accuracy, save the model."""
    explicit = {key: getattr(args, key) for key in RECIPE + RUN}
    if args.resume:
        if args.init or args.preset:
            raise DigitnetError("--resume continues a run as it was: leave --init/--preset out")
        checkpoint = load_checkpoint(args.resume)
        settings = RunSettings.from_dict(checkpoint.settings)
        check_same(explicit, dataclasses.asdict(settings), f"the run in {args.resume}")
    else:
        settings = resolve(explicit, args.preset)
        if settings.data is not None:  # absolute, so that --resume works from any folder
            settings.data = str(Path(settings.data).resolve())
    _choose_outputs(args, settings)
    for target in (settings.out, settings.history):  # fail now, not after training
        if target:
            _prepare_folder(Path(target).parent)
    for folder in (args.checkpoint_dir, settings.plots):
        if folder:
            _prepare_folder(Path(folder))
    if settings.layers is not None:
        check_layers_flags(explicit, settings)
    if args.show_augmented and settings.augment == "none":
        raise DigitnetError("--show-augmented needs --augment affine or elastic")
    s = settings
    data = load_data(s.data, "uint8", s.limit, s.val_fraction, s.seed)
    X_train, y_train, validation = data.X_train, data.y_train, (data.X_eval, data.y_eval)
    validation_name = "test" if data.eval_name == "test" else "val"
    if s.validation_split:  # choose on a split of the training set; test only at the end
        (X_train, y_train), validation = split_validation(
            X_train, y_train, s.validation_split, s.seed
        )
        validation_name = "val"
    elif s.early_stopping:
        raise DigitnetError("--early-stopping needs --validation-split (never the test set)")
    optimizer = make_optimizer(s.optimizer, s.lr, s.momentum, s.weight_decay)
    if args.resume:
        model, done, history = checkpoint.model, checkpoint.epoch, checkpoint.history
        split = s.weight_decay > 0  # the parameter groups the optimizer updates
        state = checkpoint.optimizer_state_for(split)
        optimizer.load_state_dict(state, model.block.groups(split)[0])
    else:
        model, done, history = new_model(args, s, data.X_train.shape[1]), 0, History()
    # --dropout places dropout after an MLP's hidden layers; a --layers spec (or a saved
    # network that is not an MLP) keeps the dropout it has, unless a dropout flag is given
    if (s.layers is None and is_mlp(model)) or s.dropout or s.input_dropout:
        model.set_dropout(s.dropout, s.input_dropout)
    augment = AUGMENTATIONS[s.augment] if s.augment != "none" else None
    if augment is not None and args.show_augmented:
        from .plots import plot_augmented  # matplotlib: only when asked for

        print(f"wrote {plot_augmented(X_train[:8], augment, Path(args.show_augmented))}")
    checkpoint_dir = args.checkpoint_dir or args.resume
    if not args.quiet:
        _print_plan(data, model, s, done)

    stop = StopAfterEpoch()
    callbacks: list[Callback] = [history]
    callbacks += default_callbacks(0 if args.quiet else 1, validation_name)
    if checkpoint_dir:
        callbacks.append(SaveCheckpoint(checkpoint_dir, optimizer, history, s))
    callbacks.append(stop)
    if s.early_stopping:
        callbacks.append(EarlyStopping(s.early_stopping, verbose=not args.quiet))
    # Quiet runs print no epoch lines, so they skip the per-epoch test evaluation (unless the
    # history file asks for it) and score the test set once, at the end.
    per_epoch_eval = not args.quiet or s.history is not None or s.early_stopping
    start = time.perf_counter()
    with stop:
        fit(
            model,
            X_train,
            y_train,
            epochs=s.epochs,
            batch_size=s.batch_size,
            optimizer=optimizer,
            validation_data=validation if per_epoch_eval else None,
            verbose=0,  # the callbacks above show what verbose would
            callbacks=callbacks,
            lr_schedule=s.schedule,
            warmup_epochs=s.warmup_epochs,
            augment=augment,
            initial_epoch=done,
        )
    seconds = time.perf_counter() - start
    # as given; a new run's default as the user would type it; a resumed run's recorded path
    out = args.out or (DEFAULT_OUT if not args.resume else s.out)
    assert out is not None  # _choose_outputs gave every run an --out
    model.save(out)
    if s.history:
        history.to_csv(s.history)
    if s.plots:
        from .plots import write_plots  # matplotlib: only when asked for
        from .prediction import check_28x28

        check_28x28(model, out)
        curves_name = "test" if validation_name == "test" else "validation"
        for path in write_plots(
            model, data.X_eval, data.y_eval, s.plots, history.history, curves_name
        ):
            print(f"wrote {path}")
    result = model.evaluate(data.X_eval, data.y_eval)
    epochs_done = history.epoch[-1] if history.epoch else done
    print(
        f"{data.eval_name} accuracy: {result['accuracy']:.2%} (loss {result['loss']:.4f}, "
        f"n={len(data.y_eval)}) after {epochs_done} epochs in {seconds:.1f}s; "
        f"model saved to {out}"
    )
    if stop.requested and epochs_done < s.epochs:
        # The checkpoint holds the settings and outputs: this command alone continues the run.
        hint = (
            f"; continue with: digitnet train --resume "
            f"{shlex.quote(os.path.abspath(checkpoint_dir))}"
            if checkpoint_dir
            else " (add --checkpoint-dir DIR to be able to resume)"
        )
        print(
            f"digitnet: stopped after epoch {epochs_done} of {s.epochs} at your request{hint}",
            file=sys.stderr,
        )
        return INTERRUPTED
    return 0


def _choose_outputs(args: argparse.Namespace, settings: RunSettings) -> None:
    """Where this run writes: the flags given, else where the (resumed) run wrote; as absolute
    paths. A new run's model goes to model.npz unless --out says otherwise."""
    for key in OUTPUTS:
        value = getattr(args, key)
        if value is None:
            value = getattr(settings, key)
        if key == "out" and value is None:
            value = DEFAULT_OUT
        setattr(settings, key, None if value is None else os.path.abspath(value))


def _prepare_folder(folder: Path) -> None:
    """Create `folder` if needed and make sure we can write there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DigitnetError(f"{folder}: cannot create the folder ({error.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise DigitnetError(f"{folder}: no permission to write there")


def _print_plan(data: DataSplits, model: Network, s: RunSettings, done: int) -> None:
    print(
        f"data: {data.source}: {len(data.X_train)} training images, "
        f"{len(data.X_eval)} {data.eval_name} images"
    )
    resuming = f", resuming after epoch {done}" if done else ""
    print(
        f"model: {describe(model)} ({model.dtype}); {s.optimizer} lr {s.lr:g} ({s.schedule}), "
        f"batch {s.batch_size}, {s.epochs} epochs{resuming}"
    )
