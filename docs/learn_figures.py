"""Produce the tables and sample output of docs/learn.md from the exercises as they are.

    python docs/learn_figures.py
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python docs/learn_figures.py --parts-race

Prints Markdown: the exercises (file, functions, section of backprop.md), the known mistakes of
each, a sample check of a dense layer whose bias gradient sums over the wrong axis (as
`digitnet learn check dense` prints it), and how long checking every exercise takes (digitnet's
answers and a second set written differently, tests/learn/other_parts/; median of 3).

With --parts-race, only this: the same trainings with digitnet's own parts and with that second
set (`digitnet train --quiet` in a fresh process each, one after the other; about 7 minutes),
written into docs/learn.md with the machine and the day (docs/measured.py). Run it with nothing
else running.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from digitnet.app.cli import main
from digitnet.learn import EXERCISES, check, check_all

ROOT = Path(__file__).resolve().parents[1]
OTHER_PARTS = ROOT / "tests" / "learn" / "other_parts"
WRONG_DENSE = """\
def dense_forward(x, W, b):
    return x @ W + b


def dense_backward(x, W, grad_out):
    return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=1)
"""


def exercise_table() -> str:
    lines = ["| | exercise | file | you write | read in backprop.md |", "|---|---|---|---|---|"]
    for number, item in enumerate(EXERCISES, start=1):
        functions = ", ".join(f"`{name}`" for name in item.functions)
        lines.append(
            f"| {number} | `{item.name}`: {item.title} | `{item.file}` | {functions} | "
            f"{item.section} |"
        )
    return "\n".join(lines)


def mistake_list() -> str:
    lines = []
    for item in EXERCISES:
        names = "; ".join(m.name for m in item.mistakes)
        lines.append(f"- `{item.name}`: {names}")
    count = sum(len(item.mistakes) for item in EXERCISES)
    return "\n".join([f"{count} mistakes are recognised:", "", *lines])


def sample_check() -> str:
    home = os.getcwd()
    with tempfile.TemporaryDirectory() as where:
        os.chdir(where)  # (contextlib.chdir needs Python 3.11)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                main(["learn", "start"])  # into ./digitnet-exercises, as a learner does
            (Path("digitnet-exercises") / "03_dense.py").write_text(WRONG_DENSE)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                main(["learn", "check", "dense"])
        finally:
            os.chdir(home)
        text = out.getvalue()
    return (
        "A dense layer whose bias gradient sums over the wrong axis "
        "(`grad_out.sum(axis=1)`), checked with `digitnet learn check dense`:\n\n"
        f"```\n{text.rstrip()}\n```"
    )


def check_time() -> str:
    def reference_seconds() -> float:
        start = time.perf_counter()
        for item in EXERCISES:
            assert check(item, item.reference).passed
        return time.perf_counter() - start

    def other_seconds() -> float:
        with tempfile.TemporaryDirectory() as folder:
            for item in EXERCISES:
                shutil.copy(OTHER_PARTS / item.file, Path(folder) / item.file)
            start = time.perf_counter()
            assert all(r.passed for r in check_all(None, Path(folder)))
            return time.perf_counter() - start

    ours = statistics.median(reference_seconds() for _ in range(3))
    theirs = statistics.median(other_seconds() for _ in range(3))
    return (
        f"Checking all {len(EXERCISES)} exercises takes {ours:.2f} s with digitnet's answers and "
        f"{theirs:.2f} s with a second set of answers written differently "
        "(`tests/learn/other_parts/`, loaded from their files), median of 3 on 2 shared cores "
        "(`python docs/learn_figures.py`). A failing exercise takes longer: each known mistake "
        "runs on the same cases."
    )


RESULT = re.compile(r"test accuracy: ([\d.]+)% .* in ([\d.]+)s")
LENET = "conv 16 5 pad 2, relu, maxpool 2, conv 32 5 pad 2, relu, maxpool 2, dense 128, relu"
RACE = [  # (the command as the table shows it, the flags of digitnet train)
    ("`digitnet train --seed 0` (the reference MLP, Adam, 20 epochs)", ["--seed", "0"]),
    ("`digitnet train --seed 1`", ["--seed", "1"]),
    (
        f'`digitnet train --seed 0 --epochs 3 --layers "{LENET}"`',
        ["--seed", "0", "--epochs", "3", "--layers", LENET],
    ),
]


def trained(flags: list[str], parts: Path | None, folder: Path) -> str:
    """'ACCURACY% in SECONDS s' of one `digitnet train --quiet` process (with `--parts`)."""
    argv = [sys.executable, "-m", "digitnet", "train", *flags, "--quiet"]
    argv += ["--out", str(folder / "model.npz")] + (["--parts", str(parts)] if parts else [])
    printed = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    found = RESULT.search(printed)
    if not found:
        raise SystemExit(f"no test accuracy in the output of {' '.join(argv)}")
    return f"{found[1]}% in {found[2]} s"


def parts_race_table() -> str:
    """Each command of RACE with digitnet's parts and with tests/learn/other_parts/."""
    rows = ["| command | digitnet's own parts | the learner's parts |", "|---|---|---|"]
    with tempfile.TemporaryDirectory() as folder:
        for shown, flags in RACE:
            ours = trained(flags, None, Path(folder))
            theirs = trained(flags, OTHER_PARTS, Path(folder))
            rows.append(f"| {shown} | {ours} | {theirs} |")
            print(rows[-1], file=sys.stderr, flush=True)
    return "\n".join(rows)


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts-race", action="store_true", help="only the parts' race")
    if parser.parse_args().parts_race:
        sys.path.insert(0, str(ROOT / "docs"))
        from measured import write_table

        command = "python docs/learn_figures.py --parts-race"
        write_table(ROOT / "docs" / "learn.md", "learner-parts", parts_race_table(), command)
        return
    for title, make in [("EXERCISE_TABLE", exercise_table), ("MISTAKE_LIST", mistake_list),
                        ("SAMPLE_CHECK", sample_check), ("CHECK_TIME", check_time)]:  # fmt: skip
        print(f"<!-- {title} -->\n{make()}\n", flush=True)
        print(f"{title} done", file=sys.stderr)


if __name__ == "__main__":
    main_()
