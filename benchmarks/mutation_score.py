"""The mutation score, per module, from a finished `mutmut run` (see docs/mutation-testing.md).

    python benchmarks/mutation_score.py CLONE_DIR [--equivalent docs/mutation-equivalent.txt]

Reads `mutmut results --all true` in CLONE_DIR; mutants listed in the equivalent file (one name
per line, then `:` and the reason) are left out. Score = (killed + timeout) / the rest, as mutmut
counts it; the strict score counts timeouts as not killed.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def results(clone: Path) -> dict[str, str]:
    """{mutant name: status} from mutmut in `clone`."""
    out = subprocess.run(
        ["mutmut", "results", "--all", "true"], cwd=clone, capture_output=True, text=True
    ).stdout
    return dict(re.findall(r"^\s*(\S+): (.+)$", out, flags=re.M))


def module_of(name: str) -> str:
    """digitnet.nn.dense.xǁDenseǁbackward__mutmut_3 -> digitnet.nn.dense"""
    return re.split(r"\.x(?:_|ǁ)", name, maxsplit=1)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clone", type=Path)
    parser.add_argument("--equivalent", type=Path, default=DOCS / "mutation-equivalent.txt")
    args = parser.parse_args(argv)
    statuses = results(args.clone)
    lines = args.equivalent.read_text().splitlines() if args.equivalent.exists() else []
    equivalent = {line.split(":")[0].strip() for line in lines if line.strip()}
    table: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for name, status in statuses.items():
        table[module_of(name)]["equivalent" if name in equivalent else status] += 1
    columns = ["killed", "timeout", "survived", "no tests", "equivalent"]
    print(f"| module | {' | '.join(columns)} | score |\n|---|{'---|' * (len(columns) + 1)}")
    total: collections.Counter = collections.Counter()
    for module in sorted(table):
        total += table[module]
        print(_row(module, table[module], columns))
    print(_row("**all**", total, columns))
    counted = sum(total[c] for c in columns[:4])
    print(f"\nstrict score (timeouts as not killed): {total['killed'] / counted:.1%}")
    return 0


def _row(label: str, counts: collections.Counter, columns: list[str]) -> str:
    counted = sum(counts[c] for c in columns[:4])
    score = (counts["killed"] + counts["timeout"]) / counted if counted else 1.0
    return f"| {label} | {' | '.join(str(counts[c]) for c in columns)} | {score:.1%} |"


if __name__ == "__main__":
    sys.exit(main())
