"""Where the live page saves models: one folder, plain file names, never over a file the page
did not write, and downloads of the files it wrote (and of nothing else)."""

from __future__ import annotations

from pathlib import Path

from ...errors import DigitnetError
from .errors import NotFound, Refused


class SaveFolder:
    """The folder `digitnet serve` saves into, and the names saved there from the page."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.saved: set[str] = set()

    def target(self, name: str) -> Path:
        """The path to save `name` (checked by requests.save_name_from_json) to: refused if
        it would leave the folder, or replace a file that the page did not write."""
        path = (self.folder / name).resolve()
        if path.parent != self.folder:
            raise DigitnetError(f'"name" must be a file name without a folder, got {name!r}')
        if path.exists() and name not in self.saved:
            raise Refused(f"{path} exists already; choose another name")
        return path

    def mark_saved(self, name: str) -> None:
        """Remember that the page wrote `name` (it may download it, and save over it)."""
        self.saved.add(name)

    def read(self, name: str) -> bytes:
        """The bytes of a model file saved from the page."""
        path = self.folder / name
        if name not in self.saved or not path.is_file():
            raise NotFound(f"no model saved from this page as {name!r}")
        return path.read_bytes()
