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

from ...data.augment import AUGMENTATIONS
from ...data.datasets import Arrays, DataSplits, load_data, split_validation
from ...errors import DigitnetError
from ...nn.network import Network
from ...nn.threads import thread_count
from ...optim.base import Optimizer
from ...training.callbacks import Callback, EarlyStopping
from ...training.checkpoint import Checkpoint, load_checkpoint
from ...training.histograms import LayerHistograms, record_path
from ...training.history import History
from ...training.loop import default_callbacks, fit_recipe
from ...training.profile import LayerProfile
from ...training.settings import (
    OUTPUTS,
    RECIPE,
    RUN,
    RunSettings,
    optimizer_of,
    resolve,
)
from ..networks import check_28x28, describe_network, is_mlp
from . import arguments
from .exit_codes import INTERRUPTED
from .train_callbacks import SaveCheckpoint, StopAfterEpoch
from .train_flags import DEFAULT_OUT, add_train_flags
from .train_model import check_layers_flags, check_same, new_model
from .train_profile import print_profile


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet train` (its flags: train_flags.py)."""
    train = commands.add_parser("train", help="train a network and report its test accuracy")
    add_train_flags(train)
    train.set_defaults(handler=run_train)


def run_train(args: argparse.Namespace) -> int:
    """Train, print progress and the final test (or validation) accuracy, save the model."""
    settings, checkpoint = _settings(args)
    _check_outputs(args, settings)
    data = load_data(
        settings.data,
        "uint8",
        settings.limit,
        settings.val_fraction,
        settings.seed,
        settings.classes,
    )
    (X_train, y_train), validation, validation_name = _splits(data, settings)
    optimizer = optimizer_of(settings)
    if checkpoint is not None:
        model, done, history = checkpoint.model, checkpoint.epoch, checkpoint.history
        split = settings.weight_decay > 0  # the parameter groups the optimizer updates
        state = checkpoint.optimizer_state_for(split)
        optimizer.load_state_dict(state, model.block.groups(split)[0])
    else:
        model, done = new_model(args, settings, data), 0
        history = History()
    model.threads = settings.threads
    # --dropout places dropout after an MLP's hidden layers; a --layers spec (or a saved
    # network that is not an MLP) keeps the dropout it has, unless a dropout flag is given
    if (settings.layers is None and is_mlp(model)) or settings.dropout or settings.input_dropout:
        model.set_dropout(settings.dropout, settings.input_dropout)
    if args.parts:
        optimizer = _use_parts(args, model, optimizer, fresh=checkpoint is None and not args.init)
    augment = AUGMENTATIONS.get(settings.augment)
    if augment is not None and args.show_augmented:
        from ..plots.training import plot_augmented  # matplotlib: only when asked for

        print(f"wrote {plot_augmented(X_train[:8], augment, Path(args.show_augmented))}")
    checkpoint_dir = args.checkpoint_dir or args.resume
    if not args.quiet:
        _print_plan(data, model, settings, done)

    stop = StopAfterEpoch()
    callbacks: list[Callback] = [history]
    callbacks += default_callbacks(0 if args.quiet else 1, validation_name)
    if checkpoint_dir:
        callbacks.append(SaveCheckpoint(checkpoint_dir, optimizer, history, settings))
    callbacks.append(stop)
    if settings.early_stopping:
        callbacks.append(EarlyStopping(settings.early_stopping, verbose=not args.quiet))
    profile = LayerProfile() if args.profile else None
    callbacks += [profile] if profile is not None else []
    # --plots also draws per-layer histograms and update ratios (about 100 samples over the
    # run), and --history keeps them beside the CSV for `digitnet plot --history`
    total_steps = -(-len(X_train) // settings.batch_size) * (settings.epochs - done)
    recorded = settings.plots or settings.history
    statistics = LayerHistograms(every=max(1, total_steps // 100)) if recorded else None
    callbacks += [statistics] if statistics is not None else []
    # Quiet runs print no epoch lines, so they skip the per-epoch test evaluation (unless the
    # history file asks for it) and score the test set once, at the end.
    per_epoch_eval = not args.quiet or settings.history is not None or settings.early_stopping
    start = time.perf_counter()
    with stop:
        fit_recipe(
            model,
            X_train,
            y_train,
            settings,
            optimizer,
            validation_data=validation if per_epoch_eval else None,
            verbose=0,  # the callbacks above show what verbose would
            callbacks=callbacks,
            initial_epoch=done,
        )
    seconds = time.perf_counter() - start
    if profile is not None and profile.steps:
        steps = -(-len(X_train) // settings.batch_size)
        print_profile(profile.summary(), settings.batch_size, steps)
    out = _save(args, settings, model, history, data, validation_name, statistics)
    epochs_done = history.epoch[-1] if history.epoch else done
    result = model.evaluate(data.X_eval, data.y_eval)
    print(
        f"{data.eval_name} accuracy: {result['accuracy']:.2%} (loss {result['loss']:.4f}, "
        f"n={len(data.y_eval)}) after {epochs_done} epochs in {seconds:.1f}s; "
        f"model saved to {out}"
    )
    if stop.requested and epochs_done < settings.epochs:
        _say_how_to_continue(checkpoint_dir, epochs_done, settings.epochs)
        return INTERRUPTED
    return 0


def _use_parts(
    args: argparse.Namespace, model: Network, optimizer: Optimizer, fresh: bool
) -> Optimizer:
    """Put the learner's parts (--parts DIR) into the model and the optimizer; say which."""
    from ...learn.parts import LearnerOptimizer, learner_optimizer, load_parts, use_parts

    if args.resume or args.checkpoint_dir:
        raise DigitnetError(
            "--parts trains without checkpoints: leave --resume and --checkpoint-dir out"
        )
    parts = load_parts(args.parts)
    replaced = use_parts(model, parts, draw_weights=fresh)
    optimizer_used = learner_optimizer(optimizer, parts)
    if isinstance(optimizer_used, LearnerOptimizer):
        replaced.append(f"the optimizer step ({optimizer_used.name})")
    if not args.quiet:
        checks = parts.checks()
        print(f"your parts from {parts.folder}: {'; '.join(replaced) or 'none of this network'}")
        print(f"  their checks: {checks}")
    return optimizer_used


def _settings(args: argparse.Namespace) -> tuple[RunSettings, Checkpoint | None]:
    """The run's settings (flags > preset > defaults, or the checkpoint's) and the checkpoint
    it resumes (None for a new run)."""
    explicit = {key: getattr(args, key) for key in RECIPE + RUN}
    checkpoint = None
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
    # the thread count is kept with the run, so that resuming it gives the same bits
    settings.threads = thread_count(args.threads if args.threads else settings.threads)
    if settings.layers is not None:
        check_layers_flags(explicit, settings)
    if args.show_augmented and settings.augment == "none":
        raise DigitnetError("--show-augmented needs --augment affine or elastic")
    return settings, checkpoint


def _check_outputs(args: argparse.Namespace, settings: RunSettings) -> None:
    """Where this run writes: the flags given, else where the (resumed) run wrote, as absolute
    paths (a new run's model goes to model.npz); each folder checked now, not after training."""
    for key in OUTPUTS:
        value = getattr(args, key)
        if value is None:
            value = getattr(settings, key)
        if key == "out" and value is None:
            value = DEFAULT_OUT
        setattr(settings, key, None if value is None else os.path.abspath(value))
    for target in (settings.out, settings.history):
        if target:
            arguments.prepare_folder(Path(target).parent, Path(target))
    for folder in (args.checkpoint_dir, settings.plots):
        if folder:
            arguments.prepare_folder(Path(folder))


def _splits(data: DataSplits, settings: RunSettings) -> tuple[Arrays, Arrays, str]:
    """(X, y) to train on, (X, y) to validate on after each epoch, and what that set is called:
    the test set, or with --validation-split a share of the training set."""
    if settings.validation_split:  # choose on a split of the training set; test only at the end
        train, validation = split_validation(
            data.X_train, data.y_train, settings.validation_split, settings.seed
        )
        return train, validation, "val"
    if settings.early_stopping:
        raise DigitnetError("--early-stopping needs --validation-split (never the test set)")
    name = "test" if data.eval_name == "test" else "val"
    return (data.X_train, data.y_train), (data.X_eval, data.y_eval), name


def _save(
    args: argparse.Namespace,
    settings: RunSettings,
    model: Network,
    history: History,
    data: DataSplits,
    validation_name: str,
    statistics: LayerHistograms | None = None,
) -> str:
    """Save the model (and --history, --plots); return the model's path as the user gave it."""
    # as given; a new run's default as the user would type it; a resumed run's recorded path
    out = args.out or (DEFAULT_OUT if not args.resume else settings.out)
    assert out is not None  # _check_outputs gave every run an --out
    model.save(out)
    if settings.history:
        history.to_csv(settings.history)
        if statistics is not None:
            statistics.save(record_path(settings.history))
    if settings.plots:
        from ..plots import write_plots  # matplotlib: only when asked for

        check_28x28(model, out)
        curves_name = "test" if validation_name == "test" else "validation"
        for path in write_plots(
            model, data.X_eval, data.y_eval, settings.plots, history.history, curves_name
        ):
            print(f"wrote {path}")
        if statistics is not None:
            from ..plots.histograms import plot_histograms

            for path in plot_histograms(statistics, Path(settings.plots)):
                print(f"wrote {path}")
    return out


def _say_how_to_continue(checkpoint_dir: str | None, epochs_done: int, epochs: int) -> None:
    # The checkpoint holds the settings and outputs: this command alone continues the run.
    hint = (
        f"; continue with: digitnet train --resume {shlex.quote(os.path.abspath(checkpoint_dir))}"
        if checkpoint_dir
        else " (add --checkpoint-dir DIR to be able to resume)"
    )
    print(
        f"digitnet: stopped after epoch {epochs_done} of {epochs} at your request{hint}",
        file=sys.stderr,
    )


def _print_plan(data: DataSplits, model: Network, settings: RunSettings, done: int) -> None:
    print(
        f"data: {data.source}: {len(data.X_train)} training images, "
        f"{len(data.X_eval)} {data.eval_name} images"
        + (f"; {data.n_classes} classes: {', '.join(model.classes)}" if data.classes else "")
    )
    resuming = f", resuming after epoch {done}" if done else ""
    print(
        f"model: {describe_network(model)} ({model.dtype}); {settings.optimizer} lr "
        f"{settings.lr:g} ({settings.schedule}), batch {settings.batch_size}, "
        f"{settings.epochs} epochs{resuming}"
    )
    sharing, blas = (
        model.threads_per_step(settings.batch_size),
        model.blas_threads(settings.batch_size),
    )
    print(
        f"threads: {model.threads}; a step of {settings.batch_size} images runs on {sharing}"
        + (f", its matrix products on the BLAS's {blas} threads" if blas > 1 else "")
    )
