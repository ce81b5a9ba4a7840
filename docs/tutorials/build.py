"""Build the tutorial notebooks from their sources, run them, and store them with their outputs.

Each tutorial is written as a Python file in the "percent" format (as jupytext reads it), so that
it reads and diffs as code:

    # %% [markdown]
    # # A title
    # Text, each line after "# ".

    # %%
    x = 1 + 1

`python docs/tutorials/build.py` turns every `NN_name.py` here into `NN_name.ipynb`, executes it
top to bottom in a fresh kernel (nbclient) from this folder, and writes it with its outputs and
pictures, which is how the notebooks display where people browse the repository.
`tests/test_tutorials.py` executes them again in CI and checks that each notebook's cells are its
source's.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT = 600  # seconds a cell may run


def sources() -> list[Path]:
    """The tutorials' sources, in order: NN_name.py."""
    return sorted(p for p in HERE.glob("[0-9][0-9]_*.py"))


def cells_of(source: str) -> list[tuple[str, str]]:
    """(kind, text) of each cell of a percent-format source: kind "code" or "markdown"."""
    cells: list[tuple[str, list[str]]] = []
    for line in source.splitlines():
        if line.startswith("# %%"):
            cells.append(("markdown" if "[markdown]" in line else "code", []))
        elif cells:
            cells[-1][1].append(line)
    result = []
    for kind, lines in cells:
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if kind == "markdown":
            lines = [line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines]
        result.append((kind, "\n".join(lines)))
    return result


def notebook_of(path: Path):  # -> nbformat.NotebookNode
    """An unexecuted notebook of the cells of the source at `path`."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    for kind, text in cells_of(path.read_text()):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        notebook.cells.append(make(text))
    return notebook


def execute(notebook, folder: Path = HERE):  # -> the executed notebook
    """Run every cell in a fresh kernel, in `folder`; a failing cell raises CellExecutionError."""
    from nbclient import NotebookClient

    NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    return notebook


def main() -> None:
    import nbformat

    parser = argparse.ArgumentParser(description="build and run the tutorial notebooks")
    parser.add_argument("names", nargs="*", help="only these (e.g. 01_pixels_to_probabilities)")
    args = parser.parse_args()
    for path in sources():
        if args.names and path.stem not in args.names:
            continue
        started = time.perf_counter()
        notebook = execute(notebook_of(path))
        for cell in notebook.cells:  # ids that do not change from build to build: clean diffs
            cell["id"] = f"cell-{notebook.cells.index(cell)}"
        nbformat.write(notebook, path.with_suffix(".ipynb"))
        print(f"{path.with_suffix('.ipynb').name}: ran in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
