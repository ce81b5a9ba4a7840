"""The tutorials in docs/tutorials/ run top to bottom (a failing cell fails CI), and each stored
notebook has exactly the cells of its source, so what people read is what CI ran."""

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # executes the six tutorial notebooks

TUTORIALS = Path(__file__).resolve().parents[1] / "docs" / "tutorials"
# docs/tutorials/build.py, by its path (a plain `import build` could find PyPA's build package)
_spec = importlib.util.spec_from_file_location("tutorials_build", TUTORIALS / "build.py")
assert _spec is not None and _spec.loader is not None
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

SOURCES = build.sources()


def test_there_are_six_tutorials_each_with_exercises_and_answers():
    assert [path.stem[:2] for path in SOURCES] == ["01", "02", "03", "04", "05", "06"]
    for path in SOURCES:
        text = path.read_text()
        assert "## Exercises" in text and text.count("<details><summary>Answer") >= 3, path.name


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_the_stored_notebook_is_its_source_with_outputs(source):
    import nbformat

    stored = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    expected = build.notebook_of(source)
    assert [(c.cell_type, c.source) for c in stored.cells] == [
        (c.cell_type, c.source) for c in expected.cells
    ], f"{source.name} changed: run python docs/tutorials/build.py {source.stem}"
    code = [c for c in stored.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "stored without running every cell"
    assert any(c.outputs for c in code)


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_the_tutorial_runs_top_to_bottom(source):
    build.execute(build.notebook_of(source))  # raises CellExecutionError on a failing cell
