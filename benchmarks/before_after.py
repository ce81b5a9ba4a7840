"""digitnet's training speed, this tree against another version of it, in one interleaved run.

    python benchmarks/before_after.py /path/to/old/src [--rounds 3] [--epochs 4]

Each round runs `benchmarks/compare.py --only digitnet` once with the other version's source on
PYTHONPATH and once with this tree's, alternately (old, new, old, new, ...), so that a slow spell
of a shared machine hits both alike. Reports each version's median s/epoch over all its epochs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
THIS_SRC = HERE.parent / "src"


def one_run(src: Path, epochs: int) -> dict:
    """compare.py's training race with `src` first on the path; returns its report."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        env = {**os.environ, "PYTHONPATH": str(src)}
        command = [sys.executable, str(HERE / "compare.py"), "--only", "digitnet"]
        command += ["--epochs", str(epochs), "--repeats", "1", "--json", str(report)]
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        return json.loads(report.read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old_src", type=Path, help="the other version's src folder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args(argv)
    seconds: dict[str, list[float]] = {"old": [], "new": []}
    for round_ in range(args.rounds):
        for label, src in (("old", args.old_src), ("new", THIS_SRC)):
            epochs = one_run(src, args.epochs)["training"]["digitnet"]["epoch_seconds"]
            seconds[label] += epochs
            median = statistics.median(epochs)
            print(f"round {round_ + 1} {label}: {median:.3f} s/epoch", flush=True)
    old, new = statistics.median(seconds["old"]), statistics.median(seconds["new"])
    print(
        f"digitnet's median s/epoch over {args.rounds} rounds x {args.epochs} epochs: "
        f"old {old:.3f}, new {new:.3f} (new/old {new / old:.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
