"""digitnet against the published from-scratch NumPy CNNs: the same layers as theirs, timed as a
user would see it.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        python benchmarks/from_scratch_cnns.py --write-docs

Runs `digitnet train --layers SPEC --epochs 2` for each network in a fresh process and reads the
seconds of each epoch from its epoch lines (the test set scored after each epoch included), then
divides the published minutes per epoch by them. The published figures come from other machines
and implementations (their READMEs are cited in benchmarks/cnn_bench.py), so the factor gives
the order of magnitude only. With --write-docs, the table goes into docs/speed.md
(docs/measured.py). Run it with nothing else running.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

EPOCH_LINE = re.compile(r"epoch\s+\d+/\d+ .* test_accuracy ([\d.]+)\s+([\d.]+)s")
# (the network and its published speed as its README gives them, its published seconds per
# epoch at best and at worst, our layers and what differs)
NETWORKS = [
    (
        "LeNet-5, [mattwang44/LeNet-from-Scratch](https://github.com/mattwang44/LeNet-from-Scratch):"
        ' "98.6% ... in 20 epoches ... takes about 2 hours using CPU only (3.5 hours if evaluate'
        ' after each epoch)" (an older version of its README: "about 3.5 hours")',
        "6-10.5 min/epoch",
        (6 * 60, 10.5 * 60),
        "conv 6 5 pad 2, relu, maxpool 2, conv 16 5, relu, maxpool 2, dense 120, relu, dense 84, "
        "relu",
        " (ReLU and max-pooling where theirs has average pooling)",
    ),
    (
        "one conv layer of 32 3x3 filters, max-pool, dense 100, [neuron-whisperer/cnn-numpy]"
        '(https://github.com/neuron-whisperer/cnn-numpy) ("stride groups"): "an entire '
        '100-minibatch epoch over 95% of the MNIST data set in a little over two minutes"',
        "~2 min/epoch",
        (2 * 60, 2 * 60),
        "conv 32 3, relu, maxpool 2, dense 100, relu",
        "",
    ),
]


def epochs_of(layers: str, epochs: int, folder: Path) -> list[tuple[float, float]]:
    """(test accuracy, seconds) of each epoch of `digitnet train --layers LAYERS`."""
    argv = [sys.executable, "-m", "digitnet", "train", "--layers", layers, "--epochs", str(epochs)]
    argv += ["--seed", "0", "--out", str(folder / "model.npz")]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    found = [(float(a), float(s)) for a, s in EPOCH_LINE.findall(done.stdout + done.stderr)]
    if len(found) != epochs:
        raise SystemExit(f"expected {epochs} epoch lines from {' '.join(argv)}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--write-docs", action="store_true", help="the table into docs/speed.md")
    args = parser.parse_args()
    rows = [
        "| from-scratch CNN | published | digitnet, the same layers | faster |",
        "|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        for network, published, (theirs_best, theirs_worst), layers, differs in NETWORKS:
            epochs = epochs_of(layers, args.epochs, Path(folder))
            seconds = [s for _, s in epochs]
            low, high = min(seconds), max(seconds)
            accuracy = epochs[-1][0]
            factor = f"{theirs_best / high:.0f}-{theirs_worst / low:.0f}x"
            if f"{theirs_best / high:.0f}" == f"{theirs_worst / low:.0f}":
                factor = f"{theirs_best / high:.0f}x"
            rows.append(
                f"| {network} | {published} | `{layers}`{differs}: {low:.1f}-{high:.1f} s/epoch, "
                f"{accuracy:.2%} after {args.epochs} epochs | {factor} |"
            )
            print(rows[-1], flush=True)
    if args.write_docs:
        from docs_tables import write_docs

        command = "python benchmarks/from_scratch_cnns.py --write-docs"
        write_docs("speed.md", "from-scratch-cnns", "\n".join(rows), command)


if __name__ == "__main__":
    main()
