"""Training checkpoints: everything needed to continue a run exactly where it stopped.

One file, DIR/checkpoint.npz, rewritten atomically (temporary file, fsync, rename) after every
epoch. It is a model file (the layers' arrays "{i}.{name}" and `meta`) plus:
    "optimizer.{state}.{i}.{name}"   the optimizer's state for each tensor, e.g. optimizer.m.0.W
    "checkpoint_meta"                JSON: epochs done, the optimizer's step count, the shuffling
                                     generator's state, the history so far, the run's settings
A crash, Ctrl-C or `kill -9` at any moment leaves the previous complete checkpoint; `digitnet
train --resume DIR` continues from it and ends with the same weights, bit for bit, as a run that
was never interrupted. Loaded with allow_pickle=False, like a model file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import numpy as np

from ..atomic import atomic_open
from ..errors import DigitnetError
from ..nn.model_file import layer_arrays, model_meta
from ..nn.network import Network
from .history import History

if TYPE_CHECKING:
    from ..optim import Optimizer

FORMAT = "digitnet-checkpoint"
VERSION = 2
FILENAME = "checkpoint.npz"
STATE_PREFIX = "optimizer."


class Checkpoint(NamedTuple):
    """A loaded checkpoint."""

    model: Network
    optimizer_state: dict  # {"t": steps, "arrays": {"m": flat array laid out as flat_params}}
    epoch: int  # epochs completed
    history: History
    settings: dict  # the run's settings (what `digitnet train` resolved), to continue it

    def optimizer_state_for(self, split_decay: bool) -> dict:
        """The optimizer's state_dict for the parameter groups it will update (see
        ParameterBlock.groups): each saved flat array cut into the groups' sizes."""
        arrays = {
            f"{kind}{i}": group
            for kind, full in self.optimizer_state["arrays"].items()
            for i, group in enumerate(self.model.block.cut(full, split_decay))
        }
        return {"t": self.optimizer_state["t"], "arrays": arrays}


def save_checkpoint(
    directory: str | Path,
    model: Network,
    optimizer: Optimizer,
    epoch: int,
    history: History,
    settings: dict,
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
    arrays = layer_arrays(model.layers)
    description = model_meta(model.layers, model.input_shape, model.dtype, model.class_names)
    arrays["meta"] = np.array(json.dumps(description))
    for kind, groups in _by_kind(state["arrays"]).items():
        full = np.concatenate([group.ravel() for group in groups])  # laid out as flat_params
        for name, part in model.block.split(full).items():
            arrays[f"{STATE_PREFIX}{kind}.{name}"] = part
    arrays["checkpoint_meta"] = np.array(json.dumps(meta))
    path = directory / FILENAME
    with atomic_open(path, "wb") as file:
        # cast: NumPy's stub takes **arrays for possibly savez's own allow_pickle argument
        np.savez(file, **cast("dict[str, Any]", arrays))
    _fsync_directory(directory)  # make the rename itself durable
    return path


def load_checkpoint(directory: str | Path, model_class: type[Network] = Network) -> Checkpoint:
    """Read DIR/checkpoint.npz, checking it as thoroughly as a model file; the model comes back
    as a `model_class` (digitnet.Sequential, to call its fit)."""
    path = Path(directory) / FILENAME
    if not path.is_file():
        raise DigitnetError(f"{directory}: no {FILENAME} to resume from")
    model, others = model_class.from_file(path)
    raw = others.get("checkpoint_meta")
    try:
        meta = json.loads(str(raw)) if raw is not None and raw.dtype.kind == "U" else None
    except json.JSONDecodeError:
        meta = None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise DigitnetError(f"{path}: not a digitnet checkpoint")
    if meta.get("version") != VERSION:
        raise DigitnetError(
            f"{path}: checkpoint version {meta.get('version')!r} is not {VERSION}; it was "
            "written by another digitnet: continue it with that version, or start again"
        )
    try:
        model.rng.bit_generator.state = meta["rng_state"]
        history = History()
        record = meta["history"]
        for i, epoch in enumerate(record["epoch"]):
            history.append(epoch, **{k: v[i] for k, v in record.items() if k != "epoch"})
        arrays = _optimizer_arrays(path, model, others)
        optimizer_state = {"t": int(meta["optimizer_t"]), "arrays": arrays}
        return Checkpoint(model, optimizer_state, int(meta["epoch"]), history, meta["settings"])
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise DigitnetError(f"{path}: damaged checkpoint ({error!r})") from None


def _by_kind(arrays: dict[str, np.ndarray]) -> dict[str, list[np.ndarray]]:
    """An optimizer's state arrays {"m0": ..., "m1": ..., "v0": ...} as {"m": [m0, m1], ...}."""
    kinds: dict[str, list[np.ndarray]] = {}
    for key in sorted(arrays, key=lambda k: int(re.sub(r"\D", "", k))):
        kinds.setdefault(re.sub(r"\d+$", "", key), []).append(arrays[key])
    return kinds


def _optimizer_arrays(path: Path, model: Network, others: dict) -> dict[str, np.ndarray]:
    """The saved optimizer state: per kind ("m", "v", "velocity"), one array laid out as
    flat_params, assembled from the per-tensor arrays."""
    kinds = {k.split(".")[1] for k in others if k.startswith(STATE_PREFIX)}
    arrays = {}
    for kind in sorted(kinds):
        prefix = f"{STATE_PREFIX}{kind}."
        named = {k[len(prefix) :]: v for k, v in others.items() if k.startswith(prefix)}
        if set(named) != set(model.block.names):
            raise DigitnetError(f"{path}: the optimizer's {kind} does not match the layers")
        arrays[kind] = model.block.join(named)
    return arrays


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
