"""How digitnet slows down on a busy machine: `digitnet train --epochs 3` idle, and beside
other processes that each keep making NumPy matrix products on 2 BLAS threads.

    python benchmarks/busy_machine.py                   # 3 runs each way: about a minute
    python benchmarks/busy_machine.py --load 1 --repeats 5
    python benchmarks/busy_machine.py --against /path/to/other/checkout/src   # and another

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
    parser.add_argument("train_flags", nargs="*", help="more flags for digitnet train")
    args = parser.parse_args(argv)
    versions = {"this": args.src} | ({"against": args.against} if args.against else {})
    times = {name: {"idle": [], "loaded": []} for name in versions}
    with tempfile.TemporaryDirectory() as folder:
        for src in versions.values():
            run_train(src, args.train_flags, folder)  # warm the file cache
        for _ in range(args.repeats):
            for name, src in versions.items():
                times[name]["idle"].append(run_train(src, args.train_flags, folder))
                loaded = with_load(args.load, partial(run_train, src, args.train_flags, folder))
                times[name]["loaded"].append(loaded)
    command = ("digitnet train --epochs 3 --quiet " + " ".join(args.train_flags)).strip()
    report: dict = {"command": command, "load_processes": args.load, "versions": {}}
    for name, src in versions.items():
        idle, loaded = (statistics.median(times[name][k]) for k in ("idle", "loaded"))
        report["versions"][name] = {"src": src, **times[name], "idle_median": idle,
                                    "loaded_median": loaded, "ratio": loaded / idle}  # fmt: skip
        print(
            f"{name} ({src or 'installed'}): {command}: idle {idle:.2f} s, beside {args.load} "
            f"busy processes {loaded:.2f} s: {loaded / idle:.1f}x (medians of {args.repeats})"
        )
    if args.json:
        with open(args.json, "w") as file:
            json.dump(report, file, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
