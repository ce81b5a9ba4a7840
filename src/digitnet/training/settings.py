"""The settings of a training run (one dataclass), and named recipes (`--preset NAME`).

A preset fills in every setting the user leaves out; a flag given explicitly always wins.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from ..data.augment import AUGMENTATIONS
from ..errors import DigitnetError
from ..nn.layers import ACTIVATIONS
from ..optim import OPTIMIZERS, Optimizer, make_optimizer
from ..optim.schedules import SCHEDULES


@dataclass
class RunSettings:
    """Everything a `digitnet train` run was asked to do: kept in its checkpoint to resume it.

    The defaults: the reference network, trained with Adam (lr 0.001, batch 128) for 20 epochs
    while the learning rate decays to 0 along a cosine (docs/results.md has its figures). They
    are also `fit`'s, the page's (but for PAGE_EPOCHS) and the help's.
    """

    # the recipe (a preset fills in those the user leaves out)
    epochs: int = 20
    batch_size: int = 128
    optimizer: str = "adam"
    lr: float = 0.001
    momentum: float = 0.9
    schedule: str = "cosine"
    warmup_epochs: float = 0.0
    hidden: list[int] = field(default_factory=lambda: [128, 64])
    activation: str = "relu"
    layers: str | None = None  # any network as text (nn/spec.py); replaces hidden/activation
    dtype: str = "float32"
    weight_decay: float = 0.0
    dropout: float = 0.0
    input_dropout: float = 0.0
    augment: str = "none"
    validation_split: float = 0.0
    early_stopping: int = 0
    # the data and the random seed
    seed: int = 0
    data: str | None = None
    classes: str | None = None  # the data's class names, comma-separated, as --classes gives them
    limit: int | None = None
    val_fraction: float = 0.1
    # where the run writes (absolute paths, so that --resume works from any folder)
    out: str | None = None
    history: str | None = None
    plots: str | None = None
    # how the run uses this machine (a flag given on --resume replaces the checkpoint's)
    threads: int | None = None  # None: the cores this process may use (nn/threads.py)

    def to_dict(self) -> dict:
        """A JSON-able copy (for the checkpoint)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, saved: dict) -> RunSettings:
        """Settings saved by to_dict (unknown keys are refused; missing ones take defaults)."""
        known = {f.name for f in fields(cls)}
        unknown = set(saved) - known
        if unknown:
            raise DigitnetError(f"unknown run settings {sorted(unknown)}")
        return cls(**saved)


RUN = ("seed", "data", "classes", "limit", "val_fraction")  # beyond the recipe
OUTPUTS = ("out", "history", "plots")
MACHINE = ("threads",)
RECIPE = tuple(f.name for f in fields(RunSettings) if f.name not in RUN + OUTPUTS + MACHINE)
DEFAULTS = {name: getattr(RunSettings(), name) for name in RECIPE}
# The values a setting may take, where they are a list of names.
CHOICES: dict[str, tuple[str, ...]] = {
    "optimizer": OPTIMIZERS,
    "schedule": tuple(SCHEDULES),
    "activation": tuple(ACTIVATIONS),
    "dtype": ("float32", "float64"),
    "augment": ("none", *AUGMENTATIONS),
}
# The live page starts shorter runs than `digitnet train`: a learner watches them as they go.
PAGE_EPOCHS = 5
# Seeds are 0 to 2**32 - 1 (a 32-bit number), on the command line and the page alike.
MAX_SEED = 2**32 - 1
# `digitnet compare` trains its recipes one after the other: shorter runs each, by default.
COMPARE_EPOCHS = 10

PRESETS = {
    # The quickest recipe found that reaches 98.0% test accuracy with the reference network
    # reliably: SGD with Nesterov momentum and a one-cycle shaped learning rate (linear warm-up,
    # then cosine decay to 0). Each preset was chosen on a validation split; docs/results.md
    # gives the test figures and the alternatives tried.
    "fast": {
        "optimizer": "nesterov",
        "lr": 0.15,
        "batch_size": 128,
        "epochs": 5,
        "schedule": "cosine",
        "warmup_epochs": 1.5,
    },
    # The reference 784-128-64-10 network at its best: the optimizer and schedule of `fast`,
    # longer, on randomly distorted (affine) copies of every batch.
    "best-small": {
        "optimizer": "nesterov",
        "lr": 0.05,
        "batch_size": 128,
        "epochs": 40,
        "schedule": "cosine",
        "warmup_epochs": 1.0,
        "augment": "affine",
    },
    # An MLP of two hidden layers of 800 ReLU units (Simard et al. 2003's width), trained on
    # elastically and affinely distorted digits with the same optimizer.
    "best": {
        "hidden": [800, 800],
        "optimizer": "nesterov",
        "lr": 0.05,
        "batch_size": 128,
        "epochs": 60,
        "schedule": "cosine",
        "warmup_epochs": 1.0,
        "augment": "elastic",
    },
    # A quick convolutional network: LeNet-like without padding (28 -> conv 5x5 -> 24 -> pool ->
    # 12 -> conv 5x5 -> 8 -> pool -> 4), SGD + Nesterov with a short warm-up, then cosine decay.
    "cnn": {
        "layers": "conv 16 5, relu, maxpool 2, conv 32 5, relu, maxpool 2, dense 128, relu",
        "optimizer": "nesterov",
        "lr": 0.05,
        "batch_size": 128,
        "epochs": 5,
        "schedule": "cosine",
        "warmup_epochs": 0.5,
    },
    # The frontier recipe: twice the channels of `cnn` (32 and 64), a dense layer of 256 units
    # with dropout 0.5, random affine distortions of every batch, and the optimizer and schedule
    # of `best` (affine rather than elastic: the elastic one under-fits in as many epochs).
    # Its epochs were chosen on a validation split of the training set, not on the test set.
    "cnn-best": {
        "layers": (
            "conv 32 5, relu, maxpool 2, conv 64 5, relu, maxpool 2, dense 256, relu, dropout 0.5"
        ),
        "optimizer": "nesterov",
        "lr": 0.05,
        "batch_size": 128,
        "epochs": 60,
        "schedule": "cosine",
        "warmup_epochs": 1.0,
        "augment": "affine",
    },
}

# What each preset is for, in a line: docs/cli.md's table of presets (docs/_ext/generated.py)
PRESET_PURPOSES = {
    "fast": "the quickest recipe found to 98% test accuracy with the reference network: the "
    f"learning rate rises linearly to {PRESETS['fast']['lr']} over "
    f"{PRESETS['fast']['warmup_epochs']} epochs, then decays to 0 along a cosine "
    '("one-cycle")',
    "best-small": "the reference 784-128-64-10 network towards its best",
    "best": "a 784-800-800-10 MLP on elastically distorted digits",
    "cnn": "a quick convolutional network ([cnn.md](cnn.md))",  # a link, on docs/cli.md
    "cnn-best": "the convolutional network towards the frontier",
}


def resolve(explicit: dict, preset: str | None = None) -> RunSettings:
    """Settings for a run: explicit values (not None), else the preset's, else the defaults."""
    if preset is not None and preset not in PRESETS:
        raise DigitnetError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    chosen = {**asdict(RunSettings()), **PRESETS.get(preset or "", {})}
    return RunSettings(
        **{key: explicit[key] if explicit.get(key) is not None else chosen[key] for key in chosen}
    )


def optimizer_of(settings: RunSettings) -> Optimizer:
    """The optimizer the settings name, with their learning rate, momentum and weight decay."""
    return make_optimizer(
        settings.optimizer, settings.lr, settings.momentum, settings.weight_decay
    )
