"""How much augmentation costs per image, and whether SciPy's map_coordinates samples faster.

    python benchmarks/augment_speed.py [--batch 128] [--repeats 50] [--write-docs]

digitnet samples each distorted image with bilinear interpolation that it writes itself
(data/augment.py: bilinear_sample, four gathers with np.take_along_axis). The alternative is one
call of scipy.ndimage.map_coordinates for the whole batch (order 1, mode "grid-constant": zeros
outside, interpolated up to the edge), the batch as a 3-D array whose first coordinate is the
image index. Both get the same source coordinates; the script checks that their images agree,
then reports the median time per batch and per pixel of: the source coordinates (affine; the
elastic fields), and each sampler. With --write-docs, the table goes into docs/speed.md
(docs/measured.py).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import digitnet as dn
from digitnet.data.augment import (
    AUGMENTATIONS,
    _affine_sources,
    _elastic_displacements,
    bilinear_sample,
)


def scipy_sample(images: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The same bilinear sampling as bilinear_sample, by one map_coordinates call."""
    from scipy.ndimage import map_coordinates

    n = len(images)
    index = np.broadcast_to(np.arange(n, dtype=rows.dtype)[:, None, None], rows.shape)
    coordinates = np.stack([index, rows, cols])
    return map_coordinates(images, coordinates, order=1, mode="grid-constant", cval=0.0)


def median_ms(fn, repeats: int) -> float:
    """Median milliseconds of fn() over `repeats` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--write-docs", action="store_true", help="the table into docs/speed.md")
    args = parser.parse_args()
    (X, _), _ = dn.load_mnist()
    images = X[: args.batch].reshape(-1, 28, 28).astype(np.float32)
    n, pixels = len(images), images.size
    rng = np.random.default_rng(0)
    elastic = AUGMENTATIONS["elastic"]
    rows, cols = _affine_sources(n, rng, elastic)
    d_rows, d_cols = _elastic_displacements(n, rng, elastic, np.float32)
    rows, cols = rows + d_rows, cols + d_cols
    ours, theirs = bilinear_sample(images, rows, cols), scipy_sample(images, rows, cols)
    difference = float(np.abs(ours - theirs).max())
    print(f"largest difference between the two samplers: {difference:.2e}")
    timings = {
        "affine source coordinates": lambda: _affine_sources(n, rng, elastic),
        "elastic displacement fields": lambda: _elastic_displacements(n, rng, elastic, np.float32),
        "sampling: digitnet's bilinear_sample": lambda: bilinear_sample(images, rows, cols),
        "sampling: scipy.ndimage.map_coordinates": lambda: scipy_sample(images, rows, cols),
    }
    lines = [
        f"A batch of {n} images, medians of {args.repeats}; the two samplers' images agree to "
        f"{difference:.1e}:",
        "",
        "| step | ms per batch | ns per pixel |",
        "|---|--:|--:|",
    ]
    for name, fn in timings.items():
        ms = median_ms(fn, args.repeats)
        lines.append(f"| {name} | {ms:.2f} | {ms * 1e6 / pixels:.1f} |")
    print("\n" + "\n".join(lines))
    if args.write_docs:
        from docs_tables import write_docs

        command = "python benchmarks/augment_speed.py --write-docs"
        write_docs("speed.md", "augment-samplers", "\n".join(lines), command)


if __name__ == "__main__":
    main()
