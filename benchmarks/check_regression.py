"""Fail (exit 1) if digitnet trains slower than the plain NumPy baseline, measured in one run.

    python benchmarks/check_regression.py [--epochs 3] [--repeats 2]

Both train the reference network with the same recipe and seeds, interleaved, on the bundled
MNIST; the check compares median seconds per epoch. The margin is wide (digitnet has measured
about 1.5x faster here), so it catches a real regression, not noise.
"""

from __future__ import annotations

import argparse
import sys

from compare import competitors, load, race


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="training images (default all)")
    args = parser.parse_args(argv)
    data = load(args.limit, None)
    results = race(competitors({"digitnet", "plain"}), data, args.epochs, args.repeats)
    ours = results["digitnet"]["median_epoch_seconds"]
    baseline = results["plain NumPy"]["median_epoch_seconds"]
    verdict = "OK" if ours <= baseline else "REGRESSION"
    print(
        f"{verdict}: digitnet {ours:.3f} s/epoch, plain NumPy {baseline:.3f} s/epoch "
        f"(ratio {ours / baseline:.2f})"
    )
    return 0 if ours <= baseline else 1


if __name__ == "__main__":
    sys.exit(main())
