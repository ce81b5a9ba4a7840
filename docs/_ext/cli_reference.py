"""The site's command reference, generated from digitnet's argparse parser itself, so that it
lists every command and flag the code has, with their defaults, and cannot drift from it.

A Sphinx extension: when Sphinx reads docs/commands.md, the reference (MyST Markdown) is added
to the end of the page's text. `reference_markdown` is plain Python, for the tests.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

PAGE = "docs/commands"  # the page the reference is added to


def command_parsers(
    parser: argparse.ArgumentParser, prefix: str = "digitnet"
) -> Iterator[tuple[str, str, argparse.ArgumentParser]]:
    """(name, one-line help, parser) of every command and sub-command, in the parser's order."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield f"{prefix} {name}", helps.get(name, ""), sub
                yield from command_parsers(sub, f"{prefix} {name}")


def flag_rows(parser: argparse.ArgumentParser) -> list[tuple[str, str, str]]:
    """(flag with its value, default, meaning) for each argument but --help and sub-commands."""
    rows = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        if action.option_strings:
            name = ", ".join(action.option_strings)
            if action.nargs != 0:
                name += f" {value_name(action)}"
        else:
            name = value_name(action)
        default = action.default
        shown = "" if default in (None, False, argparse.SUPPRESS) else str(default)
        rows.append((name, shown, action.help or ""))
    return rows


def value_name(action: argparse.Action) -> str:
    """What an argument's value is called in the usage line: its metavar, choices or name."""
    if action.metavar is not None:
        return str(action.metavar)
    if action.choices is not None:
        return "{" + ",".join(str(choice) for choice in action.choices) + "}"
    return action.dest.upper() if action.option_strings else action.dest


def cell(text: str) -> str:
    """Text for a Markdown table cell: a | would end the cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def reference_markdown(parser: argparse.ArgumentParser) -> str:
    """Every command: its heading, what it does, its usage line and a table of its flags."""
    parts = []
    for name, summary, sub in command_parsers(parser):
        usage = " ".join(sub.format_usage().split())  # one line, as argparse wraps it
        parts.append(f"## `{name}`\n\n{summary}\n\n```text\n{usage}\n```\n")
        rows = flag_rows(sub)
        if rows:
            lines = ["| argument | default | meaning |", "|---|---|---|"]
            lines += [f"| `{cell(n)}` | {cell(d)} | {cell(h)} |" for n, d, h in rows]
            parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def add_reference(app, docname: str, source: list[str]) -> None:
    """Sphinx's source-read: add the reference to the end of the commands page."""
    if docname == PAGE:
        from digitnet.app.cli import build_parser

        source[0] += "\n" + reference_markdown(build_parser())


def setup(app) -> dict:
    app.connect("source-read", add_reference)
    return {"parallel_read_safe": True}
