"""The reference tables generated from the code (docs/_ext/generated.py): each page's copy is what
the code gives today, and each table says what the code does: every --layers term the parser
reads, every layer type with the settings its model file stores, the meta `save` writes, every
exit status, every endpoint the server routes."""

import importlib.util
import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

import digitnet as dn
from digitnet.app.cli import exit_codes
from digitnet.app.serve import handler
from digitnet.nn import spec
from digitnet.nn.layers import LAYER_TYPES

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "docs" / "_ext" / "generated.py"
module_spec = importlib.util.spec_from_file_location("generated", EXTENSION)
generated = importlib.util.module_from_spec(module_spec)
module_spec.loader.exec_module(generated)
PAGES = sorted((ROOT / "docs").glob("*.md"))


def rows(markdown: str) -> list[list[str]]:
    """The body rows of a Markdown table, as cells (an escaped \\| stays inside its cell)."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")][2:]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]


def code(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_each_pages_generated_tables_are_what_the_code_gives(path):
    text = path.read_text()
    assert generated.fill(text) == text, (
        f"{path.name} has a stale generated table: run python docs/_ext/generated.py"
    )


def test_every_table_is_on_exactly_one_page():
    used = [name for path in PAGES for name in generated.blocks_of(path.read_text())]
    assert sorted(used) == sorted(generated.GENERATORS)


def test_a_stale_table_is_rewritten_and_an_unknown_one_refused():
    stale = "text\n<!-- generated: exit-statuses -->\n| old |\n<!-- end generated -->\nmore\n"
    fresh = generated.fill(stale)
    assert "| old |" not in fresh and "| 141 |" in fresh and fresh.endswith("more\n")
    with pytest.raises(ValueError, match="unknown generated block 'nothing'"):
        generated.fill("<!-- generated: nothing -->\n<!-- end generated -->")


def test_layer_terms_are_those_the_parser_reads():
    table = rows(generated.layer_terms())
    assert [code(row[0])[0] for row in table] == [spec.usage(c) for c in spec.terms().values()]
    for row in table:  # each example builds the layer its row names
        example, layer = code(row[3])[0], code(row[1])[0]
        built = spec.build_layers(example, (1, 28, 28))
        assert layer in {type(each).__name__ for each in built}, row
    conv = next(row for row in table if row[0].startswith("`conv"))
    assert "stride: `stride` (1); pad: `padding` (0)" in conv[2]


def test_layer_types_are_the_registrys_with_the_settings_their_files_store():
    table = {code(row[0])[0]: row for row in rows(generated.layer_types())}
    assert list(table) == list(LAYER_TYPES)
    for name, row in table.items():
        layer = generated.example_layer(LAYER_TYPES[name])
        assert code(row[1]) == [key for key in layer.config() if key != "type"], name
    assert table["conv2d"][3] == "`W` (3, 1, 3, 3), `b` (3,)"
    assert table["dense"][3] == "`W` (784, 5), `b` (5,)"
    assert code(table["batchnorm"][3]) == ["gamma", "beta", "running_mean", "running_var"]


def test_model_meta_is_what_save_writes(tmp_path):
    written = json.loads(re.search(r"```json\n(.*?)```", generated.model_meta(), re.DOTALL)[1])
    dn.MLP([784, 128, 64, 10], seed=0).save(tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as saved:
        assert json.loads(str(saved["meta"])) == written


def test_presets_are_each_presets_flags():
    from digitnet.app.cli import build_parser
    from digitnet.training.settings import PRESETS

    train = next(a for a in build_parser()._actions if a.dest == "command").choices["train"]
    for row in rows(generated.presets()):
        name, flags = code(row[0])[0], " ".join(code(row[1]))
        parsed = vars(train.parse_args(shlex.split(flags)))  # as a shell passes them
        assert {key: parsed[key] for key in PRESETS[name]} == PRESETS[name], name


def test_exit_statuses_are_those_of_the_command():
    codes = {v for k, v in vars(exit_codes).items() if k.isupper() and isinstance(v, int)}
    assert {int(row[0]) for row in rows(generated.exit_statuses())} == codes


def test_every_route_of_the_server_is_a_row_with_its_methods_doc():
    table = rows(generated.server_endpoints())
    listed = {request for row in table for request in code(row[0])}
    routes = {f"GET {path}" for path in handler.GET_ROUTES}
    assert listed == routes | {f"POST {path}" for path in handler.POST_ROUTES}
    source = (ROOT / "src/digitnet/app/serve/handler.py").read_text()
    in_code = set(re.findall(r'"(/predict|/api/[a-z_/<>-]+)"', source))
    assert in_code == set(handler.GET_ROUTES) | set(handler.POST_ROUTES)  # no route elsewhere
    answering = {span for row in table for span in code(row[1]) if span.startswith("LiveSession.")}
    assert {span.removeprefix("LiveSession.") for span in answering} == set(
        handler.GET_ROUTES.values()
    ) | set(handler.POST_ROUTES.values())
    status = next(row for row in table if row[0] == "`GET /api/train`")
    assert '"images_per_second"' in status[1] and "`{" in status[1]


def test_exercises_are_the_catalogues_in_order_with_their_functions():
    from digitnet.learn.catalogue import EXERCISES

    table = rows(generated.exercises())
    assert [code(row[1])[:2] for row in table] == [[e.name, e.file] for e in EXERCISES]
    assert [code(row[2]) for row in table] == [list(e.functions) for e in EXERCISES]
    conv = next(row for row in table if "conv_backward" in row[1])
    assert conv[3].endswith(
        "(backprop.md#11-gradient-of-the-input-a-full-convolution-with-the-flipped-kernel)"
    )
