"""The pages under docs/ say what the code does: every command's flags with their defaults and
choices (docs/cli.md), the --history columns, the CNN presets (docs/results.md), fit's defaults
(docs/api.md); their Python examples run, the source paths they cite exist, and every relative
link points to a file (and heading) that exists. The tables generated from the code (the presets,
the --layers terms, the exit statuses, the model file, the server's endpoints) are checked by
test_generated_docs.py. The measured figures come from docs/readme_figures.py,
docs/cnn_figures.py and the benchmarks, not from here."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from digitnet.app.cli import build_parser, main
from digitnet.training.settings import PRESETS, RunSettings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
FENCE = re.compile(r"^```.*?^```", flags=re.MULTILINE | re.DOTALL)


def page(name: str) -> str:
    return (DOCS / name).read_text()


def section(text: str, heading: str) -> str:
    """The text from the heading line that starts with `heading` to the next heading of the same
    or a higher level (fenced code blocks are not searched for headings)."""
    match = re.search(rf"^{re.escape(heading)}.*$", text, flags=re.MULTILINE)
    assert match, f"no heading {heading!r}"
    level = len(heading) - len(heading.lstrip("#"))
    rest = FENCE.sub(lambda m: " " * len(m.group(0)), text[match.end() :])
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.MULTILINE)
    return text[match.start() : match.end() + (end.start() if end else len(rest))]


def cells(line: str) -> list[str]:
    """The cells of a Markdown table row (an escaped \\| stays inside its cell)."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def table(text: str, header_start: str) -> list[list[str]]:
    """The rows (as cells) of the first table whose header row starts with `header_start`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(cells(line))
    return rows


def code_spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def form(value) -> str:
    """A setting's value as the docs write it: 0.001, 0, 128,64, adam."""
    if isinstance(value, (list, tuple)):
        return ",".join(form(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# --- docs/cli.md: the commands and their flags ---------------------------------------------

SUBPARSERS = next(a for a in build_parser()._actions if a.dest == "command").choices
COMMANDS = list(SUBPARSERS)


def parser_options(command: str) -> dict:
    """Every long option of a subcommand (without --help), and its argparse action."""
    options = SUBPARSERS[command]._option_string_actions
    return {flag: a for flag, a in options.items() if flag.startswith("--") and flag != "--help"}


def flag_rows(command: str, text: str | None = None) -> dict[str, list[str]]:
    """The rows of the flag table in the command's section of docs/cli.md, by flag."""
    rows = table(section(text or page("cli.md"), f"## `digitnet {command}"), "| flag |")
    found = {}
    for row in rows:
        flag = re.match(r"`(--[a-z-]+)", row[0])
        assert flag, f"a row of digitnet {command}'s flag table names no flag: {row}"
        found[flag.group(1)] = row
    return found


def default_of(command: str, flag: str, action):
    """The flag's default: the parser's, else (for train) the run settings'."""
    if action.default not in (None, False):
        return action.default
    name = flag.removeprefix("--").replace("-", "_")
    if command == "train" and name in RunSettings.__dataclass_fields__:
        return getattr(RunSettings(), name)
    return None


def flag_differences(command: str, text: str | None = None) -> set[str]:
    """The flags the parser has and the page does not list, or the page lists and it has not."""
    return set(flag_rows(command, text)) ^ set(parser_options(command))


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_documents_exactly_the_parsers_flags(command):
    assert not flag_differences(command)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_documented_default_is_the_codes(command):
    rows = flag_rows(command)
    for flag, action in parser_options(command).items():
        default = default_of(command, flag, action)
        if default is None:
            continue
        written = rows[flag][1].replace("`", "").split(" (")[0].strip()
        assert written == form(default), f"digitnet {command} {flag}: {written!r} != {default!r}"


@pytest.mark.parametrize("command", COMMANDS)
def test_each_choice_of_a_flag_is_listed(command):
    rows = flag_rows(command)
    for flag, action in parser_options(command).items():
        if action.choices:
            listed = set(code_spans(" ".join(rows[flag][1:])))
            missing = set(action.choices) - listed
            assert not missing, f"digitnet {command} {flag}: {sorted(missing)} not listed"


def history_columns(idx_folder, tmp_path, *flags: str) -> list[str]:
    """The header of the --history file of a one-epoch run on the tiny IDX folder."""
    history, model = tmp_path / "history.csv", tmp_path / "model.npz"
    argv = ["train", "--data", idx_folder, "--epochs", 1, "--quiet", "--batch-size", 16, *flags]
    assert main([str(a) for a in [*argv, "--out", model, "--history", history]]) == 0
    return history.read_text().splitlines()[0].split(",")


def documented_columns(text: str | None = None) -> tuple[list[str], str]:
    meaning = flag_rows("train", text)["--history"][2]
    found = re.search(
        r"columns ((?:`\w+`, )*`\w+`) in that order \(and `(\w+)` with `--augment`\)", meaning
    )
    assert found, f"the --history row names no columns: {meaning}"
    return code_spans(found.group(1)), found.group(2)


def test_history_columns_are_those_the_file_has(idx_folder, tmp_path):
    always, augmenting = documented_columns()
    assert history_columns(idx_folder, tmp_path) == always
    augmented = history_columns(idx_folder, tmp_path, "--augment", "affine")
    assert set(augmented) - set(always) == {augmenting}


# --- docs/results.md, docs/api.md --------------------------


def test_cnn_presets_table_shows_each_presets_layers():
    rows = table(section(page("results.md"), "## Convolutional networks"), "| preset | network")
    layers = {code_spans(row[0])[0]: code_spans(row[1])[0] for row in rows}
    assert layers == {name: PRESETS[name]["layers"] for name in ("cnn", "cnn-best")}


def test_fit_signature_in_the_api_page_has_fits_defaults():
    from digitnet.training.loop import fit

    written = re.search(r"`fit\((.*?)\)`", page("api.md"), re.DOTALL)
    assert written, "docs/api.md shows no fit(...) signature"
    parameters = inspect.signature(fit).parameters
    defaults = {}
    for item in written[1].split(","):
        name, equals, value = item.strip().partition("=")
        if equals:
            defaults[name] = ast.literal_eval(value)
    assert defaults, "the signature gives no defaults"
    for name, value in defaults.items():
        assert parameters[name].default == value, f"fit's {name}: {value!r}"


# --- the Python examples, the paths cited, the links --------------------------------------


def python_blocks() -> list[tuple[str, str]]:
    return [
        (f"{path.name}:{number}", block)
        for path in PAGES
        for number, block in enumerate(
            re.findall(r"^```python\n(.*?)^```", path.read_text(), re.MULTILINE | re.DOTALL)
        )
    ]


@pytest.fixture(scope="module")
def small_mnist():
    """A small slice of MNIST in both dtypes, so that the examples run in seconds."""
    import digitnet as dn

    sliced = {}
    for dtype in ("float32", "uint8"):
        (X, y), (X_test, y_test) = dn.load_mnist(dtype=dtype)
        sliced[dtype] = ((X[:256], y[:256]), (X_test[:128], y_test[:128]))
    return sliced


def run_example(block: str, small_mnist, tmp_path, monkeypatch) -> None:
    """Run a page's Python block as written, on a small slice of MNIST, in an empty folder."""
    import digitnet as dn

    monkeypatch.setattr(dn, "load_mnist", lambda dtype="float32": small_mnist[dtype])
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "<example>", "exec"), {})


@pytest.mark.parametrize(("where", "block"), python_blocks(), ids=[w for w, _ in python_blocks()])
def test_python_examples_run(where, block, small_mnist, tmp_path, monkeypatch):
    run_example(block, small_mnist, tmp_path, monkeypatch)


def test_lenet_example_builds_the_lenet(small_mnist, tmp_path, monkeypatch):
    import digitnet as dn

    block = next(b for w, b in python_blocks() if w.startswith("cnn.md") and "Conv2D" in b)
    run_example(block, small_mnist, tmp_path, monkeypatch)
    model = dn.load_model(tmp_path / "lenet.npz")
    assert [layer.config()["type"] for layer in model.layers] == [
        "conv2d", "relu", "maxpool2d", "conv2d", "relu", "maxpool2d", "flatten", "dense",
        "relu", "dense",
    ]  # fmt: skip
    assert model.layers[7].in_features == 32 * 7 * 7


PATH = re.compile(r"[\w.-]+(/[\w.-]+)+(\.\w+|/)")


def missing_paths(text: str, folder: Path = DOCS) -> list[str]:
    """The file and folder paths the text cites in inline code (`nn/conv.py`, `app/serve/`)
    that exist neither from the repository, nor from src/ or src/digitnet/, nor from the page's
    folder."""
    found = []
    for span in re.findall(r"`([^`\n]+)`", FENCE.sub("", text)):
        if PATH.fullmatch(span) and not span.startswith("."):
            bases = (ROOT, ROOT / "src", ROOT / "src" / "digitnet", folder)
            if not any((base / span).exists() for base in bases):
                found.append(span)
    return found


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_cited_paths_exist(path):
    assert not missing_paths(path.read_text(), path.parent)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.*)$", FENCE.sub("", text), flags=re.MULTILINE):
        name, n = slug(heading), 1
        while name in found:
            name, n = f"{slug(heading)}-{n}", n + 1
        found.add(name)
    return found


def broken_links(text: str, folder: Path, here: Path | None = None) -> list[str]:
    """Each relative link (and picture) of a Markdown text that points to no file, or to a
    heading its page does not have."""
    found = []
    prose = re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (folder / path) if path else here
        if file is None or not file.exists():
            found.append(target)
        elif anchor and file.suffix == ".md" and anchor not in anchors(file.read_text()):
            found.append(target)
    return found


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_point_to_existing_files(path):
    assert not broken_links(path.read_text(), path.parent, path)


# --- each check can fail ---------------------------------------------------------------------


def test_the_checks_catch_broken_pages(idx_folder, tmp_path):
    """Deliberately broken copies of the pages: each check sees what is wrong."""
    cli = page("cli.md")
    seedless = "\n".join(ln for ln in cli.splitlines() if not ln.startswith("| `--seed N` |"))
    assert flag_differences("train", seedless) == {"--seed"}
    assert flag_differences("gradcheck", seedless) == {"--seed"}
    shuffled = cli.replace("columns `epoch`, `loss`,", "columns `loss`, `epoch`,")
    assert documented_columns(shuffled)[0] != history_columns(idx_folder, tmp_path)
    assert missing_paths("see `nn/no_such_module.py` and `app/live_session.py`") == [
        "nn/no_such_module.py",
        "app/live_session.py",
    ]
    assert broken_links("[a](nowhere.md) [b](cli.md#no-such-heading) [c](cli.md)", DOCS) == [
        "nowhere.md",
        "cli.md#no-such-heading",
    ]


@pytest.mark.parametrize(
    "script", sorted((ROOT / "docs").glob("*.py")), ids=lambda path: path.name
)
def test_every_script_that_makes_the_docs_figures_imports(script, monkeypatch):
    """Each of docs/*.py loads (its imports of digitnet resolve), by its path under another name,
    so that none runs its main."""
    import importlib.util

    monkeypatch.syspath_prepend(str(script.parent))
    spec = importlib.util.spec_from_file_location(f"docs_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.__doc__, f"{script.name} says what it makes in its docstring"
