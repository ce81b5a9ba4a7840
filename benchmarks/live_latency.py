"""How the live page holds up while a network trains behind it: /predict latency (idle, and
during training), how long a teach takes, and what the live views cost the training run.

For each network (the default MLP, and --preset cnn), it starts `digitnet serve` (no model), then:
  1. idle: 40 requests to POST /predict with a drawn digit, one every 0.1 s;
  2. starts a run from the API and sends the same 40 requests while it trains;
  3. after the run: POST /api/teach on drawings the network misreads (up to 3), timed;
  4. runs the same recipe with `digitnet train --quiet` and compares seconds per epoch.
Prints medians and 95th percentiles; with --write-docs, also the table of docs/live.md, with the
machine and the day (docs/measured.py). Run it with nothing else on the machine:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/live_latency.py [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the pen strokes
from strokes import render  # noqa: E402

RUNS = {  # name: (POST /api/train body, the same run's `digitnet train` flags)
    "mlp": ({"epochs": 4}, ["--epochs", "4"]),
    "cnn": ({"preset": "cnn", "epochs": 2}, ["--preset", "cnn", "--epochs", "2"]),
}


def drawing(digit: int, rotate: float = 0.0) -> list:
    """A pen-stroke digit, bright on black, 140x140, as the page sends it."""
    picture = render(digit, 100, (20, 20), (140, 140), 8, dark_on_light=False, rotate=rotate)
    return (np.asarray(picture, dtype=np.float32) / 255).round(3).tolist()


def call(base: str, path: str, body: object = None) -> tuple[dict, float]:
    """(answer, seconds) of a GET (body None) or a JSON POST."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data, {"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        answer = json.load(error)
    return answer, time.perf_counter() - started


def latencies(base: str, count: int = 40) -> list[float]:
    """Milliseconds of `count` /predict requests, one every 0.1 s."""
    image = drawing(3)
    times = []
    for _ in range(count):
        times.append(call(base, "/predict", {"image": image})[1] * 1000)
        time.sleep(0.1)
    return times


def quantiles(times: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile."""
    ordered = sorted(times)
    return statistics.median(times), ordered[min(len(ordered) - 1, round(0.95 * len(ordered)))]


def summary(times: list[float]) -> str:
    """'median M ms, 95th percentile P ms' of request times in milliseconds."""
    median, p95 = quantiles(times)
    return f"median {median:.0f} ms, 95th percentile {p95:.0f} ms"


def measure(name: str, body: dict, flags: list[str], folder: Path) -> dict:
    """What the page costs for one network: /predict idle and while training, seconds per epoch
    in the page and with `digitnet train`, and up to three teaches."""
    found: dict = {"teaches": []}
    server = subprocess.Popen(
        [sys.executable, "-m", "digitnet", "serve", "--port", "0"],
        cwd=folder,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()  # type: ignore[union-attr]
        match = re.search(r"http://[\d.]+:\d+", line)
        assert match, line
        base = match.group(0)
        found["idle"] = latencies(base)
        print(f"{name}: /predict idle: {summary(found['idle'])}")
        call(base, "/api/train", body)
        during = found["training"] = latencies(base)
        status, _ = call(base, "/api/train")
        print(f"{name}: /predict while training (step {status['step']}): {summary(during)}")
        while status["state"] == "running":
            time.sleep(0.5)
            status, _ = call(base, "/api/train")
        epochs = [h["seconds"] for h in status["history"]]
        live = (epochs[-1] - epochs[0]) / (len(epochs) - 1) if len(epochs) > 1 else epochs[0]
        found["page_epoch"] = live
        print(
            f"{name}: run {status['state']}, test {status['test_accuracy']:.2%}, "
            f"{live:.2f} s per epoch in the page (epochs after the first; 40 predictions in "
            f"the first)"
        )
        taught = 0
        for digit in range(10):
            for rotate in (30, -30):
                image = drawing(digit, rotate)
                read, _ = call(base, "/predict", {"image": image})
                if read["digit"] == digit or taught == 3:
                    continue
                answer, seconds = call(base, "/api/teach", {"image": image, "label": digit})
                taught += 1
                found["teaches"].append(answer)
                print(
                    f"{name}: teach {read['digit']} -> {digit}: {answer['steps']} steps, "
                    f"{answer['seconds']:.2f} s in the worker, {seconds:.2f} s for the request; "
                    f"reads {int(np.argmax(answer['after']))}; test "
                    f"{answer['test_accuracy_before']:.2%} -> {answer['test_accuracy_after']:.2%}"
                )
    finally:
        server.terminate()
        server.wait()
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "digitnet", "train", *flags, "--out", str(folder / "cli.npz")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seconds = [float(s) for s in re.findall(r"  (\d+\.\d+)s  ", out)]
    found["cli_epoch"] = statistics.median(seconds)
    print(
        f"{name}: digitnet train: {statistics.median(seconds):.2f} s per epoch "
        f"(median of {len(seconds)}; whole command {time.perf_counter() - started:.1f} s)"
    )
    return found


def span(values: list[float], form: str) -> str:
    """'low-high' of values, or the one value."""
    low, high = format(min(values), form), format(max(values), form)
    return low if low == high else f"{low}-{high}"


def docs_table(results: dict) -> str:
    """docs/live.md's table: a column per network."""
    heads = {"mlp": "MLP (default, 60,000 images)", "cnn": "`--preset cnn`"}
    rows = {
        "`POST /predict` of a drawing, idle (median, 95th percentile)": [],
        "the same while training": [],
        "seconds per epoch in the page / with `digitnet train`": [],
        "a teach (misread pen-stroke digits, taught the right digit)": [],
        "test accuracy before -> after each teach": [],
    }
    cells = list(rows.values())
    for found in results.values():
        cells[0].append("{:.0f} ms, {:.0f} ms".format(*quantiles(found["idle"])))
        cells[1].append("{:.0f} ms, {:.0f} ms".format(*quantiles(found["training"])))
        page, cli = found["page_epoch"], found["cli_epoch"]
        cells[2].append(f"{page:.2f} / {cli:.2f} ({page / cli:.2f}x)")
        teaches = found["teaches"]
        if teaches:
            steps = span([t["steps"] for t in teaches], ".0f")
            cells[3].append(f"{steps} steps, {span([t['seconds'] for t in teaches], '.2f')} s")
            after = ", -> ".join(f"{t['test_accuracy_after']:.2%}" for t in teaches)
            cells[4].append(f"{teaches[0]['test_accuracy_before']:.2%} -> {after}")
        else:
            cells[3].append("nothing misread")
            cells[4].append("")
    lines = ["| | " + " | ".join(heads[name] for name in results) + " |"]
    lines.append("|---|" + "---|" * len(results))
    lines += [f"| {what} | " + " | ".join(values) + " |" for what, values in rows.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(RUNS), help="measure one network only")
    parser.add_argument("--write-docs", action="store_true", help="the table into docs/live.md")
    args = parser.parse_args()
    if args.write_docs and args.only:
        parser.error("--write-docs measures both networks: leave out --only")
    results = {}
    for name, (body, flags) in RUNS.items():
        if args.only in (None, name):
            with tempfile.TemporaryDirectory() as folder:
                results[name] = measure(name, body, flags, Path(folder))
    print("\n" + docs_table(results))
    if args.write_docs and not args.only:
        from docs_tables import write_docs

        command = "python benchmarks/live_latency.py --write-docs"
        write_docs("live.md", "live-costs", docs_table(results), command)


if __name__ == "__main__":
    main()
