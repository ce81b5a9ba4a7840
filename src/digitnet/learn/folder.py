"""The learner's folder: the skeleton files written into it, their status, a reset.

A file the learner has changed is never overwritten: `start` leaves it, and `reset` moves it to a
backup first. Skeletons ship inside the package (learn/skeletons/) and are written atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..atomic import atomic_write_bytes
from ..errors import DigitnetError
from .catalogue import EXERCISES, exercise
from .exercise import Exercise, Result, check
from .loader import LearnerError, functions_of, load

DEFAULT_FOLDER = Path("digitnet-exercises")


def skeleton(item: Exercise) -> str:
    """The skeleton file of an exercise, as shipped."""
    return (resources.files(__package__) / "skeletons" / item.file).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Written:
    """What `start` did with one exercise's file."""

    exercise: Exercise
    path: Path
    action: str  # "written", "kept: unchanged" or "kept: yours"


def start(folder: str | Path = DEFAULT_FOLDER) -> list[Written]:
    """Write every exercise's skeleton into `folder`, leaving the files already there."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DigitnetError(f"{folder} is a file, not a folder: give another --dir")
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for item in EXERCISES:
        path = folder / item.file
        if not path.exists():
            atomic_write_bytes(path, skeleton(item).encode())
            done.append(Written(item, path, "written"))
        elif path.read_bytes() == skeleton(item).encode():
            done.append(Written(item, path, "kept: unchanged"))
        else:
            done.append(Written(item, path, "kept: yours"))
    return done


def check_file(item: Exercise, folder: str | Path = DEFAULT_FOLDER) -> Result:
    """Check the learner's file of one exercise ("not written" if it is not there)."""
    path = Path(folder) / item.file
    if not path.is_file():
        return Result(item, "not written", error=f"no {path}: run `digitnet learn start`")
    try:
        functions = functions_of(load(path), item.functions, path)
    except LearnerError as error:
        return Result(item, "failing", error=error.report)
    return check(item, functions)


def check_all(names: list[str] | None = None, folder: str | Path = DEFAULT_FOLDER) -> list[Result]:
    """Check the named exercises (every one if None) in the learner's folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DigitnetError(f"no folder {folder}: run `digitnet learn start {folder}` first")
    chosen = [exercise(name) for name in names] if names else list(EXERCISES)
    return [check_file(item, folder) for item in chosen]


def reset(name: str, folder: str | Path = DEFAULT_FOLDER) -> Path | None:
    """Put an exercise's skeleton back; the learner's version is kept as a backup, returned."""
    folder = Path(folder)
    item = exercise(name)
    path = folder / item.file
    backup = None
    if path.exists() and path.read_bytes() != skeleton(item).encode():
        backup = next(
            path.with_name(f"{path.name}.{n}.bak")
            for n in range(1, 10_000)
            if not path.with_name(f"{path.name}.{n}.bak").exists()
        )
        path.rename(backup)  # a rename within the folder: the learner's text is never lost
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, skeleton(item).encode())
    return backup
