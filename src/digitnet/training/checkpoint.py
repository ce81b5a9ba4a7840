"""Training checkpoints: everything needed to continue a run exactly where it stopped.

One file, DIR/checkpoint.npz, rewritten atomically (temporary file, fsync, rename) after every
epoch: the model's weights, the optimizer's state (moments or velocities, step count), the
shuffling generator's state, the epochs done, the history so far and the run's settings. A crash,
Ctrl-C or `kill -9` at any moment leaves the previous complete checkpoint; `digitnet train
--resume DIR` continues from it and ends with the same weights, bit for bit, as a run that was
never interrupted. Loaded with allow_pickle=False, like a model file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..atomic import atomic_open
from ..errors import DigitnetError
from ..model import MLP
from ..serialization import load_model_arrays, model_arrays
from .history import History

FORMAT = "digitnet-checkpoint"
VERSION = 1
FILENAME = "checkpoint.npz"


class Checkpoint(NamedTuple):
    """A loaded checkpoint."""

    model: MLP
    optimizer_state: dict
    epoch: int  # epochs completed
    history: History
    settings: dict  # the run's settings (what `digitnet train` resolved), to continue it


def save_checkpoint(
    directory: str | Path, model: MLP, optimizer, epoch: int, history: History, settings: dict
) -> Path:
    """Write DIR/checkpoint.npz atomically; returns its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = optimizer.state_dict()
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "epoch": epoch,
        "optimizer_t": state.get("t", 0),
        "rng_state": model.rng.bit_generator.state,
        "history": {"epoch": history.epoch, **history.history},
        "settings": settings,
    }
    arrays = model_arrays(model)
    arrays.update({f"opt_{name}": array for name, array in state["arrays"].items()})
    arrays["checkpoint_meta"] = np.array(json.dumps(meta))
    path = directory / FILENAME
    with atomic_open(path, "wb") as file:
        np.savez(file, **arrays)
    _fsync_directory(directory)  # make the rename itself durable
    return path


def load_checkpoint(directory: str | Path) -> Checkpoint:
    """Read DIR/checkpoint.npz, checking it as thoroughly as a model file."""
    path = Path(directory) / FILENAME
    if not path.is_file():
        raise DigitnetError(f"{directory}: no {FILENAME} to resume from")
    model, arrays = load_model_arrays(path)
    raw = arrays.get("checkpoint_meta")
    try:
        meta = json.loads(str(raw)) if raw is not None and raw.dtype.kind == "U" else None
    except json.JSONDecodeError:
        meta = None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise DigitnetError(f"{path}: not a digitnet checkpoint")
    if meta.get("version") != VERSION:
        raise DigitnetError(
            f"{path}: checkpoint version {meta.get('version')!r} is not "
            f"{VERSION}; it was written by another digitnet"
        )
    try:
        model.rng.bit_generator.state = meta["rng_state"]
        history = History()
        record = meta["history"]
        for i, epoch in enumerate(record["epoch"]):
            history.append(epoch, **{k: v[i] for k, v in record.items() if k != "epoch"})
        optimizer_state = {
            "t": int(meta["optimizer_t"]),
            "arrays": {k[4:]: v for k, v in arrays.items() if k.startswith("opt_")},
        }
        return Checkpoint(model, optimizer_state, int(meta["epoch"]), history, meta["settings"])
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise DigitnetError(f"{path}: damaged checkpoint ({error!r})") from None


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
