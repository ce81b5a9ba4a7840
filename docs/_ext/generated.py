"""The reference tables of the docs, generated from the code so that they cannot drift from it:
the --layers terms, the presets and the exit statuses (docs/cli.md), the model file's layer types
and meta (docs/model-file.md), the live page's JSON endpoints (docs/live.md), the exercises
(docs/learn.md).

A page asks for one by name between two comments, and the table is written between them:

    <!-- generated: presets -->
    ...
    <!-- end generated -->

`python docs/_ext/generated.py` rewrites the pages' tables from the code (run it after changing
a layer, a preset, an exit status or an endpoint); tests/test_generated_docs.py fails while a
page's copy differs from what the code gives. The site's build fills them in again as it reads
each page (a Sphinx extension), so the site shows the code's tables even before that.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent
BLOCK = re.compile(
    r"(?P<start><!-- generated: (?P<name>[a-z-]+) -->\n).*?(?P<end><!-- end generated -->)",
    re.DOTALL,
)
EXAMPLE_INPUT = (1, 28, 28)  # the examples' layers are built for one MNIST image


def cell(text: str) -> str:
    """Text for a Markdown table cell: a | would end the cell; lines become one."""
    return " ".join(text.split()).replace("|", "\\|")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def example_layer(cls: type):
    """The layer of class `cls` that its --layers example builds for one MNIST image, with its
    parameters drawn."""
    import numpy as np

    from digitnet.nn import spec

    for layer in spec.build_layers(spec.example_of(cls), EXAMPLE_INPUT):
        if type(layer) is cls:
            layer.build(np.random.default_rng(0), "float32")
            return layer
    raise ValueError(f"{spec.example_of(cls)!r} builds no {cls.__name__}")


def layer_terms() -> str:
    """The --layers terms: how each is written, the layer it builds and what its numbers set."""
    from digitnet.nn import spec

    rows = []
    for cls in spec.terms().values():
        defaults = inspect.signature(cls.__init__).parameters
        settings = []
        for setting in (*cls.spec_numbers, *cls.spec_options):
            default = defaults[setting.argument].default
            optional = setting in cls.spec_options
            shown = "" if not optional else " (optional)" if default is None else f" ({default})"
            settings.append(f"{setting.word}: `{setting.argument}`{shown}")
        rows.append(
            [
                f"`{spec.usage(cls)}`",
                f"`{cls.__name__}`",
                cell("; ".join(settings)),
                f"`{spec.example_of(cls)}`",
            ]
        )
    return table(["term", "layer", "its numbers (default)", "example"], rows)


def layer_types() -> str:
    """The model file's layer types: the settings each stores, and the arrays of its --layers
    example built for one 1 x 28 x 28 image."""
    from digitnet.nn import spec
    from digitnet.nn.layers import LAYER_TYPES

    rows = []
    for name, cls in LAYER_TYPES.items():
        layer = example_layer(cls)
        settings = ", ".join(f"`{key}`" for key in layer.config() if key != "type")
        arrays = {**layer.params, **layer.state}
        shapes = ", ".join(f"`{key}` {tuple(array.shape)}" for key, array in arrays.items())
        rows.append([f"`{name}`", settings, f"`{spec.example_of(cls)}`", shapes])
    header = ["`type`", "settings", "example", "its arrays"]
    return table(header, rows)


def model_meta() -> str:
    """The `meta` entry of the default 784-128-64-10 network's model file."""
    from digitnet.model import MLP
    from digitnet.nn.model_file import model_meta as meta_of

    model = MLP([784, 128, 64, 10], seed=0)
    meta = meta_of(model.layers, (784,), "float32")
    layers = meta.pop("layers")
    lines = [f" {json.dumps(key)}: {json.dumps(value)}," for key, value in meta.items()]
    lines.append(' "layers": [')  # the layers last, one a line
    lines += [f"  {json.dumps(layer)}," for layer in layers]
    lines[-1] = lines[-1].rstrip(",")
    return "```json\n{" + "\n".join(lines)[1:] + "\n ]}\n```\n"


def presets() -> str:
    """The presets as the flags they stand for, and what each is for."""
    from digitnet.training.settings import PRESET_PURPOSES, PRESETS

    rows = []
    for name, settings in PRESETS.items():
        # a code span per flag, so that a narrow page wraps the row between flags
        flags = " ".join(
            f"`--{key.replace('_', '-')} {flag_value(v)}`" for key, v in settings.items()
        )
        rows.append([f"`{name}`", flags, cell(PRESET_PURPOSES[name])])
    return table(["preset", "the same as", "what it is"], rows)


def flag_value(value: object) -> str:
    """A setting as typed after its flag: 0.15, 800,800, "conv 16 5, relu"."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, str) and " " in value:
        return f'"{value}"'
    return f"{value:g}" if isinstance(value, float) else str(value)


def exit_statuses() -> str:
    """The exit statuses of the `digitnet` command and what each means."""
    from digitnet.app.cli.exit_codes import MEANINGS

    rows = [[str(status), cell(meaning)] for status, meaning in MEANINGS.items()]
    return table(["status", "meaning"], rows)


def server_endpoints() -> str:
    """The live page's JSON API: each request and what it does, from the docstring of the
    LiveSession method that answers it."""
    from digitnet.app.serve.handler import GET_ROUTES, POST_ROUTES
    from digitnet.app.serve.session import LiveSession

    requests: dict[str, list[str]] = {}  # method name -> its requests, in the routes' order
    for verb, routes in (("GET", GET_ROUTES), ("POST", POST_ROUTES)):
        for path, method in routes.items():
            requests.setdefault(method, []).append(f"`{verb} {path}`")
    rows = []
    for method, paths in requests.items():
        doc = inspect.getdoc(getattr(LiveSession, method)) or ""
        summary, _, rest = doc.partition("\n\n")
        does = re.sub(r"^(GET|POST) [^:]*: ", "", " ".join(summary.split()))
        text = re.sub(r"(\{[^{}]*\})", r"`\1`", cell(f"{does} {rest}".strip()))
        rows.append([", ".join(paths), f"{text} Answered by `LiveSession.{method}`."])
    return table(["request", "does"], rows)


def exercises() -> str:
    """The exercises of `digitnet learn`, in order: each one's name and file, the functions the
    learner writes, and the section of docs/backprop.md that derives them (a link)."""
    from digitnet.learn.catalogue import EXERCISES

    rows = []
    for number, exercise in enumerate(EXERCISES, 1):
        anchor = re.sub(r"[^\w\- ]", "", exercise.section.lower()).replace(" ", "-")
        rows.append([
            str(number),
            f"`{exercise.name}` (`{exercise.file}`): {cell(exercise.title)}",
            ", ".join(f"`{name}`" for name in exercise.functions),
            f"[{cell(exercise.section)}](backprop.md#{anchor})",
        ])  # fmt: skip
    return table(["", "exercise (its file)", "you write", "derived in"], rows)


GENERATORS: dict[str, Callable[[], str]] = {
    "layer-terms": layer_terms,
    "presets": presets,
    "exit-statuses": exit_statuses,
    "layer-types": layer_types,
    "model-meta": model_meta,
    "server-endpoints": server_endpoints,
    "exercises": exercises,
}


def fill(text: str) -> str:
    """The page with each generated block written afresh from the code."""

    def block(match: re.Match) -> str:
        name = match["name"]
        if name not in GENERATORS:
            raise ValueError(f"unknown generated block {name!r}; known: {', '.join(GENERATORS)}")
        return match["start"] + GENERATORS[name]() + match["end"]

    return BLOCK.sub(block, text)


def blocks_of(text: str) -> list[str]:
    """The names of the generated blocks a page has, in order."""
    return [match["name"] for match in BLOCK.finditer(text)]


def fill_source(app, docname: str, source: list[str]) -> None:
    """Sphinx's source-read: the page's generated blocks, from the code as it is."""
    source[0] = fill(source[0])


def setup(app) -> dict:
    app.connect("source-read", fill_source)
    return {"parallel_read_safe": True}


def main() -> int:
    """Rewrite every docs page's generated blocks; print the pages that changed."""
    from digitnet.atomic import atomic_write_bytes

    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text()
        new = fill(text)
        if new != text:
            atomic_write_bytes(path, new.encode())
            print(f"rewrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
