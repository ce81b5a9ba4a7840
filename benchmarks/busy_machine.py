"""How digitnet slows down on a busy machine: `digitnet train --epochs 3` idle, and beside
other processes that each keep making NumPy matrix products on 2 BLAS threads.

    python benchmarks/busy_machine.py                   # 3 runs each way: about a minute
    python benchmarks/busy_machine.py --load 1 --repeats 5
    python benchmarks/busy_machine.py --against /path/to/other/checkout/src   # and another
    python benchmarks/busy_machine.py --against OLD/src --write-docs  # docs/speed.md's table

Each run is a fresh process (the command as a user types it, with --quiet), timed from start to
exit. Idle and loaded runs alternate (and with --against, the two versions), and the load
processes are started afresh for each loaded run, so all see the same machine. Prints the
medians and their ratio; --json writes them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial

# A load: NumPy matrix products on 2 BLAS threads, forever (until killed).
LOAD = (
    "import numpy as np\n"
    "a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)\n"
    "while True:\n"
    "    a @ a\n"
)


def run_train(src: str | None, extra: list[str], folder: str) -> float:
    """Seconds of one `digitnet train --epochs 3 --quiet` process, start to exit."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    code = "import sys; from digitnet.app.cli import main; sys.exit(main(sys.argv[1:]))"
    argv = [sys.executable, "-c", code, "train", "--epochs", "3", "--quiet", *extra]
    argv += ["--out", os.path.join(folder, "model.npz")]
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def with_load(n: int, run):
    """run() beside n load processes (each on 2 BLAS threads), started before and killed after."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
    loads = [subprocess.Popen([sys.executable, "-c", LOAD], env=env) for _ in range(n)]
    try:
        time.sleep(1.0)  # the loads are up and multiplying
        return run()
    finally:
        for process in loads:
            process.kill()
            process.wait()


# docs/speed.md's table (--write-docs), against the digitnet before threads (commit cccee1a):
# (what, with {runs} for the runs of each; flags for digitnet train; runs of each)
DOCS_ROWS = [
    ("`digitnet train --epochs 3` (the reference MLP; {runs} runs each)", [], 5),
    (
        'the same with `--layers "conv 16 5, relu, maxpool 2, conv 32 5, relu, maxpool 2, '
        'dense 128, relu" --limit 6000` ({runs} runs each)',
        ["--layers", "conv 16 5, relu, maxpool 2, conv 32 5, relu, maxpool 2, dense 128, relu"]
        + ["--limit", "6000"],
        3,
    ),
]


def measure(versions: dict, train_flags: list[str], repeats: int, load: int) -> dict:
    """Medians of idle and loaded runs of each version, taking turns, and their ratio."""
    times = {name: {"idle": [], "loaded": []} for name in versions}
    with tempfile.TemporaryDirectory() as folder:
        for src in versions.values():
            run_train(src, train_flags, folder)  # warm the file cache
        for _ in range(repeats):
            for name, src in versions.items():
                times[name]["idle"].append(run_train(src, train_flags, folder))
                loaded = with_load(load, partial(run_train, src, train_flags, folder))
                times[name]["loaded"].append(loaded)
    command = ("digitnet train --epochs 3 --quiet " + " ".join(train_flags)).strip()
    report: dict = {"command": command, "load_processes": load, "versions": {}}
    for name, src in versions.items():
        idle, loaded = (statistics.median(times[name][k]) for k in ("idle", "loaded"))
        report["versions"][name] = {"src": src, **times[name], "idle_median": idle,
                                    "loaded_median": loaded, "ratio": loaded / idle}  # fmt: skip
        print(
            f"{name} ({src or 'installed'}): {command}: idle {idle:.2f} s, beside {load} "
            f"busy processes {loaded:.2f} s: {loaded / idle:.1f}x (medians of {repeats})",
            flush=True,
        )
    return report


def write_docs(versions: dict, load: int) -> None:
    """Measure docs/speed.md's rows, this version against the other, and write its table."""
    rows = [
        "| command | this version: idle, loaded | before threads: idle, loaded |",
        "|---|---|---|",
    ]
    for what, flags, repeats in DOCS_ROWS:
        found = measure(versions, flags, repeats, load)["versions"]
        cells = []
        for name, bold in (("this", "**"), ("against", "")):
            v = found[name]
            ratio = f"{bold}{v['ratio']:.1f}x{bold}"
            cells.append(f"{v['idle_median']:.2f} s, {v['loaded_median']:.2f} s ({ratio})")
        rows.append(f"| {what.format(runs=repeats)} | {cells[0]} | {cells[1]} |")
    from docs_tables import write_docs

    command = "python benchmarks/busy_machine.py --against OLD/src --write-docs"
    write_docs("speed.md", "busy-machine", "\n".join(rows), command)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", type=int, default=2, help="load processes (2)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--src", help="the digitnet to run (a checkout's src/; default: installed)"
    )
    parser.add_argument(
        "--against", metavar="SRC", help="another checkout's src/, run alternately"
    )
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="measure docs/speed.md's table (with --against) and write it there",
    )
    parser.add_argument("train_flags", nargs="*", help="more flags for digitnet train")
    args = parser.parse_args(argv)
    versions = {"this": args.src} | ({"against": args.against} if args.against else {})
    if args.write_docs:
        if not args.against:
            parser.error("--write-docs compares with another version: give --against SRC")
        write_docs(versions, args.load)
        return 0
    report = measure(versions, args.train_flags, args.repeats, args.load)
    if args.json:
        with open(args.json, "w") as file:
            json.dump(report, file, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
