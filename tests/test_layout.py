"""The package's layering: no import cycles and no import from a later stage of the pipeline."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Pipeline order, lowest first: a module may import its own level or lower, never higher.
LEVELS = {
    "digitnet.errors": 0,
    "digitnet.atomic": 0,
    "digitnet.checks": 0,
    "digitnet._version": 0,
    "digitnet.nn": 1,
    "digitnet.optim": 2,
    "digitnet.data": 3,
    "digitnet.training": 4,
    "digitnet.model": 5,
    "digitnet.learn": 5,  # the exercises: they check a learner's parts against nn's reference
    "digitnet.doctor": 5,  # sanity checks of any network: they train copies of it
    "digitnet.reading": 5,  # reading pictures of digits and numbers with any network
    "digitnet.interchange": 5,  # a model in the formats of other tools (ONNX, safetensors)
    # the app's rooms: what the command line and the server share, then the server, then the
    # command line, which may use everything and which nothing imports
    "digitnet.app": 6,
    "digitnet.app.serve": 7,
    "digitnet.app.cli": 8,
    "digitnet.__main__": 8,
}
TOP = "digitnet"  # the package __init__: it re-exports everything, so nothing may import it
MATH = ("digitnet.nn", "digitnet.optim")
LOOP = ("digitnet.data", "digitnet.training", "digitnet.model", "digitnet.app")

Edge = tuple[str, int, str]  # (importing module, line, imported module)


def read_sources(root: Path = SRC) -> dict[str, str]:
    """Every .py file under src/digitnet, keyed by its path relative to src."""
    return {p.relative_to(root).as_posix(): p.read_text() for p in (root / TOP).rglob("*.py")}


def module_name(path: str) -> tuple[str, bool]:
    """The dotted module name of a relative path, and whether it is a package __init__."""
    parts = path.removesuffix(".py").split("/")
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def is_in(name: str, prefix: str) -> bool:
    """Whether the module `name` is `prefix` or lies inside the package `prefix`."""
    return name == prefix or name.startswith(prefix + ".")


def import_edges(sources: dict[str, str]) -> list[Edge]:
    """All imports between digitnet modules, wherever they are (functions, TYPE_CHECKING...)."""
    modules = {module_name(path)[0] for path in sources}
    edges = []
    for path, source in sources.items():
        name, is_package = module_name(path)
        package = name.split(".") if is_package else name.split(".")[:-1]
        for node in ast.walk(ast.parse(source, path)):
            if isinstance(node, ast.Import):
                edges += [(name, node.lineno, a.name) for a in node.names if is_in(a.name, TOP)]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = ".".join(package[: len(package) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                if not is_in(base, TOP):
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    edges.append((name, node.lineno, sub if sub in modules else base))
    return list(dict.fromkeys(edges))  # one edge per line and target


def level(name: str) -> int | None:
    """The pipeline level of a module (the top package is above all); None if it has none."""
    if name == TOP:
        return max(LEVELS.values()) + 1
    found = [prefix for prefix in LEVELS if is_in(name, prefix)]
    return LEVELS[max(found, key=len)] if found else None


def cycles(edges: list[Edge]) -> list[str]:
    """Each import cycle found by a depth-first search, as a chain `a -> b -> a`."""
    graph: dict[str, list[str]] = {}
    for source, _, target in edges:
        graph.setdefault(source, []).append(target)
    done: set[str] = set()
    found = []

    def visit(node: str, stack: list[str]) -> None:
        for target in sorted(set(graph.get(node, []))):
            if target in stack:
                found.append(" -> ".join([*stack[stack.index(target) :], target]))
            elif target not in done:
                visit(target, [*stack, target])
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    return found


def upward(edges: list[Edge]) -> list[str]:
    """Each import of a module from a higher level (or of a module with no level)."""
    found = []
    for source, line, target in edges:
        ours, theirs = level(source), level(target)
        if ours is None or theirs is None:
            found.append(f"{source}:{line} imports {target}: not placed in LEVELS")
        elif theirs > ours:
            found.append(f"{source}:{line} imports {target} (level {theirs} above its own {ours})")
    return found


def test_no_import_cycles():
    """No chain of imports between digitnet modules leads back to where it started."""
    edges = import_edges(read_sources())
    assert len(edges) > 50, "the checker found almost no imports: is it reading the package?"
    assert not cycles(edges), "import cycles:\n" + "\n".join(cycles(edges))


def test_no_upward_imports():
    """Every module imports only modules of its own pipeline level or lower."""
    found = upward(import_edges(read_sources()))
    assert not found, "imports against the pipeline order:\n" + "\n".join(found)


def test_math_does_not_import_the_loop():
    """digitnet.nn and digitnet.optim import nothing from data, training, model or app."""
    found = [
        f"{source}:{line} imports {target}"
        for source, line, target in import_edges(read_sources())
        if any(is_in(source, m) for m in MATH)
        and (target == TOP or any(is_in(target, p) for p in LOOP))
    ]
    message = "the math must not import the training loop, the data readers or the app:\n"
    assert not found, message + "\n".join(found)


def test_checker_reports_cycles_and_upward_imports():
    """On made-up sources with a cycle and upward imports, the checker reports every one."""
    sources = {
        "digitnet/__init__.py": "from .nn.dense import Dense\n",
        "digitnet/nn/__init__.py": "",
        "digitnet/nn/dense.py": "if TYPE_CHECKING:\n    from ..training import loop\n",
        "digitnet/training/__init__.py": "",
        "digitnet/training/loop.py": "def fit():\n    from digitnet.nn import dense\n",
        "digitnet/app/cli/__init__.py": "from ... import __version__\nimport digitnet.optim.sgd\n",
        "digitnet/optim/sgd.py": "from ..errors import DigitnetError\n",
    }
    edges = import_edges(sources)
    assert ("digitnet.app.cli", 2, "digitnet.optim.sgd") in edges
    assert ("digitnet.optim.sgd", 1, "digitnet.errors") in edges
    assert cycles(edges) == ["digitnet.nn.dense -> digitnet.training.loop -> digitnet.nn.dense"]
    assert upward(edges) == [
        "digitnet.nn.dense:2 imports digitnet.training.loop (level 4 above its own 1)",
        "digitnet.app.cli:1 imports digitnet (level 9 above its own 8)",
    ]


# Printing is the command line's job; the training loop shows progress through its callbacks;
# the server writes through its one logger.
MAY_PRINT = (
    "digitnet/app/cli/",
    "digitnet/training/callbacks.py",
    "digitnet/training/diagnostics.py",
    "digitnet/app/serve/log.py",
)


def prints_and_argparse(sources: dict[str, str]) -> list[str]:
    """Each place outside the command line that reads argparse or prints (print, sys.stdout,
    sys.stderr), as path:line."""
    found = []
    for path, source in sources.items():
        for node in ast.walk(ast.parse(source, path)):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if "argparse" in names and not path.startswith("digitnet/app/cli/"):
                found.append(f"{path}:{node.lineno} imports argparse")
            printing = (isinstance(node, ast.Name) and node.id == "print") or (
                isinstance(node, ast.Attribute)
                and node.attr in ("stdout", "stderr")
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            )
            if printing and not path.startswith(MAY_PRINT):
                found.append(f"{path}:{node.lineno} prints")
    return found


def test_only_the_command_line_reads_flags_or_prints():
    found = prints_and_argparse(read_sources())
    assert not found, "outside app/cli:\n" + "\n".join(found)


def test_the_server_and_the_plots_stay_in_their_rooms():
    """The server never imports the command line or the plots; the plots neither of them."""
    found = [
        f"{source}:{line} imports {target}"
        for source, line, target in import_edges(read_sources())
        if (is_in(source, "digitnet.app.serve") and is_in(target, "digitnet.app.plots"))
        or (is_in(source, "digitnet.app.plots") and is_in(target, "digitnet.app.serve"))
    ]
    assert not found, "\n".join(found)


def test_the_print_checker_finds_prints_and_argparse():
    sources = {
        "digitnet/nn/dense.py": "import argparse\nprint('x')\n",
        "digitnet/app/serve/server.py": "import sys\nsys.stderr.write('x')\n",
        "digitnet/app/cli/train.py": "import argparse\nprint('fine here')\n",
    }
    assert prints_and_argparse(sources) == [
        "digitnet/nn/dense.py:1 imports argparse",
        "digitnet/nn/dense.py:2 prints",
        "digitnet/app/serve/server.py:2 prints",
    ]
