"""`digitnet learn`: the exercises (write each part of a network yourself) and their checks.

digitnet learn [--dir DIR]                     the exercises and their status
digitnet learn start [DIR]                     write the skeleton files (never over yours)
digitnet learn check [NAME...] [--dir DIR]     check one exercise, several, or all
digitnet learn reset NAME [--dir DIR]          the skeleton back (yours kept as a .bak)
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .exit_codes import FAILED_CHECK, OK

if TYPE_CHECKING:
    from ...learn import Result

FOLDER_HELP = "your exercises' folder (./digitnet-exercises)"


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet learn` and its actions."""
    learn = commands.add_parser(
        "learn", help="exercises: write each part of a network yourself and have it checked"
    )
    learn.add_argument("--dir", dest="list_folder", metavar="DIR", help=FOLDER_HELP)
    learn.set_defaults(handler=run_list)
    actions = learn.add_subparsers(dest="action", metavar="ACTION", parser_class=type(learn))
    start = actions.add_parser("start", help="write the exercises' files into DIR")
    start.add_argument("start_folder", metavar="DIR", nargs="?", help=FOLDER_HELP)
    start.set_defaults(handler=run_start)
    check = actions.add_parser("check", help="check your code of one exercise, several, or all")
    check.add_argument("names", metavar="NAME", nargs="*", help="exercises (default: all)")
    check.add_argument("--dir", dest="check_folder", metavar="DIR", help=FOLDER_HELP)
    check.add_argument(
        "--hint", action="store_true", help="first show a hint: the shapes and the rule"
    )
    check.set_defaults(handler=run_check)
    reset = actions.add_parser("reset", help="put an exercise's skeleton back (yours is kept)")
    reset.add_argument("name", metavar="NAME")
    reset.add_argument("--dir", dest="reset_folder", metavar="DIR", help=FOLDER_HELP)
    reset.set_defaults(handler=run_reset)


def folder_of(text: str | None) -> Path:
    """The folder given, else the default one."""
    from ...learn import DEFAULT_FOLDER

    return Path(text) if text else DEFAULT_FOLDER


def dir_flag(folder: Path) -> str:
    """` --dir FOLDER` for the commands we suggest, unless it is the default folder."""
    from ...learn import DEFAULT_FOLDER

    return "" if folder == DEFAULT_FOLDER else f" --dir {folder}"


def run_list(args: argparse.Namespace) -> int:
    """List the exercises with their status in the folder."""
    from ...learn import EXERCISES, check_all

    folder = folder_of(args.list_folder)
    if not folder.is_dir():
        print(f"no exercises in {folder} yet: `digitnet learn start {folder}` writes them")
        for number, item in enumerate(EXERCISES, start=1):
            print(f"  {number:2}  {item.name:<22} {item.title}")
        return OK
    results = check_all(None, folder)
    suggestion = f"digitnet learn check NAME{dir_flag(folder)}"
    print(f"exercises in {folder}  (`{suggestion}` checks one and shows why):")
    width = max(len(item.title) for item in EXERCISES)
    for number, result in enumerate(results, start=1):
        item = result.exercise
        print(f"  {number:2}  {item.name:<22} {item.title:<{width}}  {result.status}")
    counts = {s: sum(r.status == s for r in results) for s in ("passing", "failing")}
    written = len(results) - sum(counts.values())
    print(
        f"{len(results)} exercises: {counts['passing']} passing, {counts['failing']} failing, "
        f"{written} not written yet"
    )
    return OK


def run_start(args: argparse.Namespace) -> int:
    """Write the skeleton files, keeping every file already there."""
    from ...learn import start

    folder = folder_of(args.start_folder)
    written = start(folder)
    for entry in written:
        print(f"  {entry.action:<16} {entry.path}")
    first = written[0]
    where = "" if args.start_folder is None else f" --dir {folder}"
    print(
        f"next: open {first.path}, write {' and '.join(first.exercise.functions)}, then "
        f"`digitnet learn check {first.exercise.name}{where}`"
    )
    return OK


def run_check(args: argparse.Namespace) -> int:
    """Check the exercises named (all by default); exit 0 only if every one passes."""
    from ...learn import EXERCISES, check_all, exercise

    folder = folder_of(args.check_folder)
    if args.hint:
        for item in [exercise(name) for name in args.names] if args.names else EXERCISES:
            print(f"hint for {item.name}: {item.hint}")
            print(f"  read docs/backprop.md, section {item.section}\n")
    results = check_all(args.names or None, folder)
    for result in results:
        print(report(result, folder))
    passed = sum(r.passed for r in results)
    if len(results) > 1:
        print(f"{passed} of {len(results)} exercises passing")
    return OK if passed == len(results) else FAILED_CHECK


def report(result: Result, folder: Path) -> str:
    """What the check of one exercise found, as text for the terminal."""
    from ...learn.compare import table

    item = result.exercise
    status = result.status
    lines = [f"{item.name} ({folder / item.file}): {status.upper()}"]
    if result.error:
        lines += ["  " + line for line in result.error.splitlines()]
    if result.rows:
        lines.append(table(result.rows, "compared with digitnet's"))
    if result.self_rows:
        heading = f"against differences of {item.self_check_of}"
        lines.append(table(result.self_rows, heading))
    for mistake in result.mistakes:
        lines.append(f"  recognised mistake: {mistake.name}.\n    {mistake.reason}.")
    if result.example:
        lines.append("  " + result.example.replace("\n", "\n  "))
    if status != "passing":
        lines.append(
            f"  read docs/backprop.md, section {item.section}; "
            f"a hint: digitnet learn check {item.name} --hint{dir_flag(folder)}"
        )
    return "\n".join(lines)


def run_reset(args: argparse.Namespace) -> int:
    """Put the skeleton back, keeping the learner's file as a backup."""
    from ...learn import exercise, reset

    folder = folder_of(args.reset_folder)
    backup = reset(args.name, folder)
    path = folder / exercise(args.name).file
    kept = f"; yours is kept as {backup}" if backup else ""
    print(f"{path}: the skeleton is back{kept}")
    return OK
