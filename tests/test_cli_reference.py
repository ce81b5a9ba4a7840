"""The site's command reference (docs/_ext/cli_reference.py) lists every command, sub-command and
argument of the parser, with its default and help, as `digitnet COMMAND --help` has them."""

import argparse
import importlib.util
from pathlib import Path

from digitnet.app.cli import build_parser

EXTENSION = Path(__file__).resolve().parents[1] / "docs" / "_ext" / "cli_reference.py"
spec = importlib.util.spec_from_file_location("cli_reference", EXTENSION)
cli_reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cli_reference)


def test_every_command_and_argument_of_the_parser_is_in_the_reference():
    parser = build_parser()
    text = cli_reference.reference_markdown(parser)
    commands = list(cli_reference.command_parsers(parser))
    names = [name for name, _, _ in commands]
    assert names[:3] == ["digitnet train", "digitnet evaluate", "digitnet predict"]
    assert "digitnet learn check" in names  # a sub-command's sub-command
    for name, summary, sub in commands:
        assert f"## `{name}`\n\n{summary}\n" in text
        for action in sub._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert f"`{option}" in text or f", {option}" in text, (name, option)


def test_a_row_shows_the_value_the_default_and_the_help():
    rows = dict((n, (d, h)) for n, d, h in cli_reference.flag_rows(build_parser_of("serve")))
    assert rows["--port PORT"] == ("8000", "port (8000; 0 picks a free one)")
    assert rows["MODEL"][0] == ""  # no default to show
    assert "--save-dir DIR" in rows


def test_a_bar_in_a_help_text_does_not_break_the_table():
    parser = argparse.ArgumentParser(prog="digitnet")
    commands = parser.add_subparsers(dest="command")
    tool = commands.add_parser("tool", help="a tool")
    tool.add_argument("--mode", choices=["a", "b"], default="a", help="a | b")
    text = cli_reference.reference_markdown(parser)
    assert "| `--mode {a,b}` | a | a \\| b |" in text


def build_parser_of(command):
    return next(
        sub
        for name, _, sub in cli_reference.command_parsers(build_parser())
        if name.endswith(f" {command}")
    )
