"""Each measured table marked in the docs (docs/measured.py) was written by the script that
measures it: it carries the line naming that script's command, the machine and the day, and the
script writes a table of that name."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARKED = re.compile(r"<!-- measured: ([a-z-]+) -->\n(.*?)<!-- end measured -->", re.DOTALL)
STAMP = re.compile(
    r"^Measured by `python ([\w/.-]+\.py)[^`]*` on (\d+) cores of .+, (\d{4}-\d\d-\d\d), "
    r"digitnet \d+\.\d+\.\d+\.$",
    re.MULTILINE,
)
TABLES = [
    (path, name, body)
    for path in sorted((ROOT / "docs").glob("*.md"))
    for name, body in MARKED.findall(path.read_text())
]

module_spec = importlib.util.spec_from_file_location("measured", ROOT / "docs" / "measured.py")
measured = importlib.util.module_from_spec(module_spec)
module_spec.loader.exec_module(measured)


def test_the_docs_mark_measured_tables():
    assert {name for _, name, _ in TABLES} >= {"reference-network", "fast-preset"}


@pytest.mark.parametrize("path, name, body", TABLES, ids=[t[1] for t in TABLES])
def test_a_measured_table_says_which_script_measured_it_where_and_when(path, name, body):
    stamp = STAMP.search(body)
    assert stamp, f"{path.name}'s table {name!r} has no 'Measured by ...' line"
    script = ROOT / stamp[1]
    assert script.exists(), f"{path.name}'s table {name!r} names {stamp[1]}, which is not there"
    assert f'"{name}"' in script.read_text(), f"{stamp[1]} writes no table {name!r}"


def test_write_table_replaces_the_marked_place_and_stamps_it(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("before\n<!-- measured: demo -->\nold\n<!-- end measured -->\nafter\n")
    measured.write_table(page, "demo", "| a |\n|---|\n| 1 |", "python docs/demo.py --x")
    text = page.read_text()
    assert "old" not in text and "| 1 |" in text and text.endswith("after\n")
    stamp = STAMP.search(text)
    assert stamp and stamp[1] == "docs/demo.py" and int(stamp[2]) >= 1
    with pytest.raises(SystemExit, match="no place marked for the table 'other'"):
        measured.write_table(page, "other", "x", "python docs/demo.py")


def test_the_machine_line_names_numpys_blas_when_scipy_brought_another(monkeypatch):
    import threadpoolctl

    pools = [
        {"user_api": "blas", "internal_api": "openblas", "version": "0.3.30",
         "filepath": "/x/scipy.libs/libscipy_openblas.so", "architecture": "Haswell"},
        {"user_api": "blas", "internal_api": "openblas", "version": "0.3.31",
         "filepath": "/x/numpy.libs/libscipy_openblas64_.so", "architecture": "SkylakeX"},
    ]  # fmt: skip
    monkeypatch.setattr(threadpoolctl, "threadpool_info", lambda: pools)
    assert "OpenBLAS 0.3.31 (SkylakeX" in measured.machine()
