"""The README is a getting-started page: short, with the two set-up commands as CI runs them, the
sample output of `digitnet train` in the shape it prints, every command in its table, its results
as docs/results.md and docs/speed.md give them, and links that resolve. Everything else is in
docs/, checked by test_docs.py and test_generated_docs.py."""

import re
from pathlib import Path

from test_docs import COMMANDS, broken_links, cells

from digitnet.training.callbacks import epoch_line

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
MAX_LINES = 250
MAIN_JOB = "pip install . && digitnet train"
TESTS = "pip install -e '.[test]' && pytest"


def too_long(text: str) -> bool:
    """Whether a README of `text` is over MAX_LINES lines."""
    return len(text.splitlines()) > MAX_LINES


def test_readme_is_at_most_250_lines():
    assert not too_long(README)


def bash_blocks(text: str) -> list[list[str]]:
    return [block.splitlines() for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL)]


def test_both_setup_commands_run_in_a_virtual_environment():
    """Each set-up command, verbatim, in a bash block that first makes and activates a venv."""
    for command in (MAIN_JOB, TESTS):
        block = next((b for b in bash_blocks(README) if command in b), None)
        assert block, f"no bash block runs {command!r}"
        before = block[: block.index(command)]
        assert any("-m venv" in line and "/bin/activate" in line for line in before), block


def test_ci_runs_the_readmes_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert TESTS in ci


def test_the_quick_run_is_mentioned():
    assert '`pytest -m "not slow"`' in README


def shape(line: str) -> str:
    """A printed line with every number replaced by #, and runs of spaces by one."""
    return re.sub(" +", " ", re.sub(r"\d[\d,.]*", "#", line))


def sample_output(text: str) -> str:
    found = re.search(r"```\n(data: .*?)```", text, flags=re.DOTALL)
    assert found, "no sample output of digitnet train"
    return found.group(1)


def sample_problems(text: str) -> list[str]:
    """What in the sample output does not have the shape of what `digitnet train` prints."""
    sample = sample_output(text)
    epoch_lines = [line for line in sample.splitlines() if line.startswith("epoch")]
    metrics = {"loss": 0.1, "accuracy": 0.9, "val_loss": 0.1, "val_accuracy": 0.9}
    printed = epoch_line(1, 20, {**metrics, "seconds": 0.3, "images_per_second": 2e5}, "test")
    problems = [line for line in epoch_lines if shape(line) != shape(printed)]
    if not epoch_lines:
        problems.append("no epoch lines")
    if not re.search(r"^test accuracy: [\d.]+% \(loss", sample, flags=re.MULTILINE):
        problems.append("no test accuracy line")
    return problems


def test_sample_output_has_the_shape_of_what_train_prints():
    assert not sample_problems(README)


def test_the_commands_table_lists_every_command_with_its_link():
    rows = [cells(line) for line in README.splitlines() if line.startswith("| [`digitnet ")]
    linked = {re.match(r"\[`digitnet (\w+)", row[0])[1]: row[0] for row in rows}
    assert set(linked) == set(COMMANDS)
    for command, cell in linked.items():
        assert f"(docs/cli.md#digitnet-{command})" in cell, cell


def results_figures_missing_from_results_page(text: str) -> list[str]:
    """The README results tables' figures (98.01%, 52-55 s) that docs/results.md and
    docs/speed.md do not give."""
    start = text.index("## Results")
    end = text.index("\n## ", start)
    rows = [line for line in text[start:end].splitlines() if line.startswith("| ")][2:]
    results = " ".join((ROOT / "docs" / page).read_text() for page in ("results.md", "speed.md"))
    figures = {f for row in rows for f in re.findall(r"\d[\d.-]*(?:%| s)", " ".join(row.split()))}
    # The pages' tables give seconds without the unit: a figure is there with it or without it.
    return sorted(f for f in figures if f not in results and f.removesuffix(" s") not in results)


def test_results_figures_are_those_of_the_results_page():
    assert not results_figures_missing_from_results_page(README)


def test_links_resolve():
    assert not broken_links(README, ROOT, ROOT / "README.md")


def test_the_readme_checks_can_fail():
    """On deliberately broken copies of the README, each check reports the problem."""
    assert too_long(README + "more\n" * MAX_LINES)
    broken = README.replace("test_accuracy 0.9801  0.35s", "test_accuracy 0.9801")
    assert sample_problems(broken)
    assert results_figures_missing_from_results_page(README.replace("98.18%", "97.31%"))
    assert broken_links(README.replace("(docs/cli.md)", "(docs/command-line.md)"), ROOT)
