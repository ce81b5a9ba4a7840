"""Atomic file writes: write to a temporary file beside the target, fsync, then rename.

A crash at any moment leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file for writing; on success it replaces `path` in one rename."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as error:  # report the file the user named, not our temporary one
        raise OSError(error.errno, error.strerror, str(path)) from None
    os.chmod(temp_name, 0o666 & ~_umask())  # mkstemp makes it private (0600); files are not
    try:
        with os.fdopen(
            fd, mode, **cast("dict[str, Any]", {} if "b" in mode else {"encoding": "utf-8"})
        ) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_open(path, "wb") as file:
        file.write(data)


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it, so set it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
