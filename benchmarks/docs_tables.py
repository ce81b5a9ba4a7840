"""A benchmark's --write-docs: its table into the marked place of a page of docs/, stamped with
the command, the machine and the day (docs/measured.py's write_table)."""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def write_docs(page: str, name: str, table: str, command: str) -> None:
    """Put `table` into docs/PAGE's place marked `name`, stamped as measured by `command`."""
    sys.path.insert(0, str(DOCS))  # docs/ is not a package: measured.py is imported from there
    from measured import write_table

    write_table(DOCS / page, name, table, command)
