"""Measured tables go into their page by the script that measures them, with where and when.

A page marks the place of a table:

    <!-- measured: reference-network -->
    ...
    <!-- end measured -->

and the script that measures it calls `write_table(page, "reference-network", markdown,
command)`, which replaces what is between the two comments by the table and a line saying which
command measured it, on which machine (cores, CPU, NumPy and its BLAS, the kernels), on which day,
with which digitnet. tests/test_measured_tables.py checks that every marked table has that line
and that the script it names writes that table.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent


def block(name: str) -> re.Pattern:
    """The marked place of table `name` in a page."""
    return re.compile(
        rf"(<!-- measured: {re.escape(name)} -->\n).*?(<!-- end measured -->)", re.DOTALL
    )


def machine() -> str:
    """This machine as a table's line names it: cores, CPU, NumPy, its BLAS and their kernels."""
    import numpy as np
    from threadpoolctl import threadpool_info

    from digitnet.nn.threads import available_cores

    cpu = "an unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = found[1].strip() if found else cpu
    cores = available_cores()
    pools = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    # NumPy's own BLAS: SciPy, once imported, brings another, which threadpoolctl may list first
    pools.sort(key=lambda pool: "numpy" not in pool["filepath"])
    blas = pools[0] if pools else None
    if blas is None:
        return f"{cores} cores of {cpu}, NumPy {np.__version__}"
    forced = os.environ.get("OPENBLAS_CORETYPE")
    kernels = f"{forced} kernels as configured" if forced else "the kernels it chose itself"
    name = {"openblas": "OpenBLAS", "mkl": "MKL", "blis": "BLIS"}.get(
        blas["internal_api"], "a BLAS"
    )
    return (
        f"{cores} cores of {cpu}, NumPy {np.__version__} with {name} {blas['version']} "
        f"({blas.get('architecture', '?')}: {kernels})"
    )


def stamp(command: str) -> str:
    """The line under a table: the command that measured it, the machine, the day, the version."""
    from digitnet._version import __version__

    day = datetime.date.today().isoformat()
    return f"Measured by `{command}` on {machine()}, {day}, digitnet {__version__}."


def write_table(page: Path, name: str, markdown: str, command: str) -> None:
    """Put the table and its stamp into the page's marked place (atomically)."""
    from digitnet.atomic import atomic_write_bytes

    text = page.read_text()
    pattern = block(name)
    if not pattern.search(text):
        raise SystemExit(f"{page.name} has no place marked for the table {name!r}")
    body = markdown.rstrip("\n") + "\n\n" + stamp(command) + "\n"
    new = pattern.sub(lambda match: match[1] + body + match[2], text, count=1)
    atomic_write_bytes(page, new.encode())
    print(f"wrote the table {name!r} into {page}")
