"""The flags of `digitnet train`, declared from the one source of settings (training/settings.py):
their choices, and the defaults their help shows."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from ...nn.spec import terms, usage
from ...training.settings import CHOICES, DEFAULTS, PRESETS, RunSettings
from . import arguments

DEFAULT_OUT = "model.npz"


def add_train_flags(train: argparse.ArgumentParser) -> None:
    """The flags of `digitnet train`: the recipe's, then the data's and the outputs'."""
    add_recipe_flags(train)
    add_run_flags(train)


def add_recipe_flags(train: argparse.ArgumentParser) -> None:
    """The recipe: each flag a RunSettings field, left None unless given (a preset or the
    default fills it in), its help showing the default."""
    default = DEFAULTS
    hidden = ",".join(map(str, default["hidden"]))
    recipe: list[tuple[str, Callable[[str], object] | Sequence[str], str]] = [
        # (flag, type or choices, help)
        ("--preset", list(PRESETS), "a named recipe for the settings you leave out"),
        (
            "--epochs",
            arguments.positive_int,
            f"passes over the training set ({default['epochs']})",
        ),
        ("--batch-size", arguments.positive_int, f"images per step ({default['batch_size']})"),
        ("--optimizer", CHOICES["optimizer"], f"update rule ({default['optimizer']})"),
        ("--lr", arguments.positive_float, f"learning rate ({default['lr']})"),
        ("--momentum", arguments.momentum, f"for momentum/nesterov ({default['momentum']})"),
        (
            "--schedule",
            CHOICES["schedule"],
            f"learning-rate schedule ({default['schedule']}: --lr down to 0)",
        ),
        (
            "--warmup-epochs",
            arguments.non_negative_float,
            f"linear learning-rate warm-up first ({default['warmup_epochs']:g})",
        ),
        ("--hidden", arguments.hidden_sizes, f"hidden layer sizes, e.g. 256,128 ({hidden})"),
        ("--activation", CHOICES["activation"], f"hidden activation ({default['activation']})"),
        (
            "--layers",
            str,
            'any network as text, instead of --hidden: "conv 16 5 pad 2, relu, maxpool 2, '
            'dense 128, relu"; the terms: ' + "; ".join(usage(cls) for cls in terms().values()),
        ),
        ("--dtype", CHOICES["dtype"], f"floating-point type ({default['dtype']})"),
        (
            "--weight-decay",
            arguments.non_negative_float,
            f"L2 weight decay (decoupled for adam) ({default['weight_decay']:g})",
        ),
        (
            "--dropout",
            arguments.fraction,
            f"dropout rate after each hidden layer ({default['dropout']:g})",
        ),
        (
            "--input-dropout",
            arguments.fraction,
            f"dropout rate on the input pixels ({default['input_dropout']:g})",
        ),
        (
            "--augment",
            CHOICES["augment"],
            f"random distortions of each batch ({default['augment']})",
        ),
        (
            "--validation-split",
            arguments.fraction,
            f"share of the training set held out to validate ({default['validation_split']:g})",
        ),
        (
            "--early-stopping",
            arguments.positive_int,
            "stop after N epochs without a better val_loss",
        ),
    ]
    for flag, kind, text in recipe:
        if callable(kind):
            train.add_argument(flag, type=kind, default=None, help=text)
        else:
            train.add_argument(flag, choices=kind, default=None, help=text)


def add_run_flags(train: argparse.ArgumentParser) -> None:
    """The seed and the data; where the run writes; checkpoints and resuming; --quiet."""
    run = RunSettings()
    train.add_argument("--seed", type=arguments.seed, help=f"random seed ({run.seed})")
    arguments.add_data(
        train,
        "folder of MNIST-named IDX files, or a Kaggle-style CSV (default: the bundled MNIST)",
    )
    arguments.add_classes(train)
    train.add_argument(
        "--val-fraction",
        type=float,
        help=f"share held out for validation when the data has no test set ({run.val_fraction})",
    )
    train.add_argument(
        "--limit", type=arguments.positive_int, help="train on the first N images only"
    )
    train.add_argument("--init", metavar="MODEL", help="start from a saved model's weights")
    arguments.add_threads(train, "each step (with --resume: the run's own unless given)")
    train.add_argument(
        "--out",
        metavar="MODEL",
        help=f"where to save the trained model ({DEFAULT_OUT}; with --resume: the run's own)",
    )
    train.add_argument(
        "--history",
        metavar="FILE.csv",
        help="write per-epoch metrics as CSV (with --resume: the run's own, if it had one)",
    )
    train.add_argument(
        "--plots",
        metavar="DIR",
        help="write the pictures of `plot` at the end (with --resume: the run's own, if any)",
    )
    train.add_argument(
        "--show-augmented",
        metavar="FILE.png",
        help="draw a few training images and random distortions of them",
    )
    train.add_argument(
        "--checkpoint-dir",
        metavar="DIR",
        help="save the whole training state after every epoch, to --resume",
    )
    train.add_argument(
        "--resume",
        metavar="DIR",
        help="continue the run checkpointed in DIR, exactly where it stopped, with its "
        "settings and outputs (--out, --history, --plots) unless you give them again",
    )
    train.add_argument(
        "--parts",
        metavar="DIR",
        help="train with the parts you wrote in DIR (digitnet learn) in place of digitnet's",
    )
    train.add_argument(
        "--profile",
        action="store_true",
        help="print where a step's time goes: each layer's forward and backward, the matrix "
        "products alone and the FLOP bound on this machine",
    )
    train.add_argument(
        "--quiet",
        action="store_true",
        help="print only the result (and skip the per-epoch test evaluation)",
    )
