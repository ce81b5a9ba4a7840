"""Run the README's set-up and five-minute tour as a new user would: in order, from an empty
folder, in a fresh clone and a fresh virtual environment, and check the figures the README shows.

    python docs/run_readme.py                 # about four minutes on 2 cores
    python docs/run_readme.py --as-configured # keep this machine's OPENBLAS_* settings

It runs, in one bash session in an empty temporary folder, every `bash` block of the README's
"Set up" and "A five-minute tour" sections but the test command (CI runs that one itself); the
README's `git clone URL` clones this checkout. Three lines cannot run unattended as written, so
they are run as close to it as a script can: `digitnet serve` on a free port until its page and
/api/options answer; `jupyter notebook FILE` executes FILE instead of opening it; and after the
tour, a correct `relu` is written into the exercise file and `digitnet learn check relu` must
pass. Then each figure of the README's sample outputs must be one that the run printed: the
number read from the photo exactly, a test accuracy and its loss within 0.1 point and 0.003
(another thread count rounds differently). The README's figures were made with
OpenBLAS choosing its own kernels, so the run unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE.
Exit status 0 when everything ran and matched, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("Set up", "A five-minute tour")
SKIPPED = "pytest"  # the test command's block: CI runs it itself
BLAS_SETTINGS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# Another thread count (one, when other programs keep the cores busy) rounds the sums
# differently: the same run then ends a few hundredths of a point away.
ACCURACY_TOLERANCE = 0.1  # percentage points
LOSS_TOLERANCE = 0.003

# Shell functions standing in for the lines that would wait for a person.
STAND_INS = r"""
serve_until_it_answers() {
  digitnet serve "$@" --port 0 > "$RUN_DIR/serve.log" 2>&1 &
  local pid=$! url=""
  for _ in $(seq 300); do
    url=$(grep -o 'http://[^ ]*/' "$RUN_DIR/serve.log" | head -n 1 || true)
    [ -n "$url" ] && break
    sleep 0.2
  done
  local status=0
  python - "$url" <<'PY' || status=$?
import json, sys, urllib.request
url = sys.argv[1]
page = urllib.request.urlopen(url, timeout=30).read().decode()
assert "<title>" in page and "digitnet" in page, "the live page did not answer"
options = json.load(urllib.request.urlopen(url + "api/options", timeout=30))
print(f"serve: {url} answered; /api/options gives {sorted(options)[:4]}...")
PY
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  return $status
}
execute_notebook() {
  jupyter nbconvert --to notebook --execute --stdout "$1" > /dev/null
  echo "notebook: $1 executed"
}
"""
RELU = """import numpy as np


def relu(x):
    return np.maximum(x, 0)


def relu_backward(x, grad_out):
    return grad_out * (x > 0)
"""
EXERCISE_CHECK = f"""
cat > digitnet-exercises/01_relu.py <<'PY'
{RELU}PY
digitnet learn check relu
"""


def sections(text: str, titles: tuple[str, ...]) -> str:
    """The text of the README's sections with these `## ` titles, in the README's order."""
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    return "\n".join(part for part in parts if part.split("\n", 1)[0].strip() in titles)


def blocks(text: str) -> list[tuple[str, str]]:
    """Each bash block with the plain sample-output blocks after it, up to the next bash block."""
    pairs: list[tuple[str, str]] = []
    for info, body in re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE):
        if info == "bash":
            pairs.append((body, ""))
        elif info == "" and pairs:
            pairs[-1] = (pairs[-1][0], pairs[-1][1] + body)
    return pairs


def as_script(commands: str) -> str:
    """The README's commands with the lines that wait for a person replaced by stand-ins."""
    lines = []
    for line in commands.splitlines():
        line = re.sub(r"^git clone URL ", 'git clone -q "$REPOSITORY" ', line)
        line = re.sub(r"^digitnet serve ", "serve_until_it_answers ", line)
        line = re.sub(r"^jupyter notebook ", "execute_notebook ", line)
        lines.append(line)
    return "\n".join(lines)


def accuracies(text: str) -> list[tuple[float, float]]:
    """Each test accuracy (percent) with its loss that a sample output or a run shows."""
    found = re.findall(r"accuracy: ([\d.]+)% \(loss ([\d.]+)", text)
    return [(float(accuracy), float(loss)) for accuracy, loss in found]


def numbers_read(text: str) -> set[str]:
    """What `predict` printed for each photo: the number and each digit's certainty."""
    return {line.strip() for line in re.findall(r"\.jpg: (.*)", text)}


def unmatched(shown: str, printed: str) -> list[str]:
    """The README's figures that the run did not print (accuracies within ACCURACY_TOLERANCE)."""
    problems = []
    for accuracy, loss in accuracies(shown):
        if not any(
            abs(accuracy - got) <= ACCURACY_TOLERANCE and abs(loss - got_loss) <= LOSS_TOLERANCE
            for got, got_loss in accuracies(printed)
        ):
            problems.append(f"test accuracy {accuracy}% (loss {loss})")
    problems += [f"photo read as {read!r}" for read in numbers_read(shown) - numbers_read(printed)]
    return problems


def run(readme: str, keep_blas: bool) -> int:
    """Clone, run the README's set-up and tour, check its figures: the exit status."""
    chosen = sections(readme, SECTIONS)
    pairs = [(code, sample) for code, sample in blocks(chosen) if SKIPPED not in code]
    shown = "\n".join(sample for _, sample in pairs)
    env = dict(os.environ)
    if not keep_blas:
        for name in BLAS_SETTINGS:
            env.pop(name, None)
    for name in ("VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(name, None)
    with tempfile.TemporaryDirectory(prefix="digitnet-readme-") as empty:
        run_dir = Path(empty)
        env["RUN_DIR"], env["REPOSITORY"] = str(run_dir), str(ROOT)
        commands = [as_script(code) for code, _ in pairs]
        script = "\n".join(["set -euo pipefail", STAND_INS, *commands, EXERCISE_CHECK])
        (run_dir / "readme.sh").write_text(script)
        print(f"running the README's set-up and tour in {run_dir}", flush=True)
        start = time.perf_counter()
        done = subprocess.run(
            ["bash", str(run_dir / "readme.sh")],
            cwd=run_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        seconds = time.perf_counter() - start
    printed = re.sub(r"\r[^\n]*\r", "\r", done.stdout)  # drop the progress bars' redraws
    print("\n".join(line.rsplit("\r", 1)[-1] for line in printed.splitlines()))
    if done.returncode != 0:
        print(f"run_readme: the README's commands failed (exit {done.returncode})")
        return 1
    missing = unmatched(shown, done.stdout)
    for figure in missing:
        print(f"run_readme: the README shows {figure}; the run did not print it")
    if missing:
        return 1
    count = len(accuracies(shown)) + len(numbers_read(shown))
    print(f"run_readme: every command ran in {seconds:.0f} s; the {count} figures shown match")
    return 0


def main() -> int:
    """Parse the flags and run the README."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--as-configured",
        action="store_true",
        help="keep OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (the README's figures are without them)",
    )
    args = parser.parse_args()
    return run((ROOT / "README.md").read_text(), args.as_configured)


if __name__ == "__main__":
    sys.exit(main())
