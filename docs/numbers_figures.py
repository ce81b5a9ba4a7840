"""Make the pictures of docs/numbers.md: a photographed number and what `digitnet predict
--show-input` shows of it.

    python docs/numbers_figures.py MODEL

Writes docs/number_photo.jpg (MNIST test digits 1, 0, 2 and 3, a 2, a 7, a 1 and a 0, written
as a number on paper and "photographed" under every condition of tests/photos.py: tinted paper,
light falling off, a shadow, blue ink, noise, blur and rotation, JPEG) and
docs/number_photo.seen.png, and prints the command's output, as numbers.md quotes it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "tests"))


def main(argv: list[str] | None = None) -> None:
    from number_pictures import CONDITIONS, compose, number_photo

    import digitnet as dn
    from digitnet.app.cli import main as digitnet

    model = (argv or sys.argv[1:])[0]
    (_, _), (X_test, _) = dn.load_mnist()
    rng = np.random.default_rng(2026)
    page, _ = compose(X_test[[1, 0, 2, 3]].reshape(-1, 28, 28), rng, "close", height=110)
    model = str(Path(model).resolve())
    os.chdir(DOCS)  # the output names the files as numbers.md shows them
    number_photo(page, rng, CONDITIONS).save("number_photo.jpg", quality=85)
    print(f"$ digitnet predict {Path(model).name} number_photo.jpg --show-input")
    digitnet(["predict", model, "number_photo.jpg", "--show-input"])


if __name__ == "__main__":
    main()
