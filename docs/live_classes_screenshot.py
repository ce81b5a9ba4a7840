"""A screenshot of the page with a named set of ten classes (docs/live-classes.png).

    python docs/live_classes_screenshot.py      # needs Playwright and /usr/bin/chromium

Writes the first 12,000 training and 2,000 test images of the bundled MNIST into a temporary
folder in MNIST's file names, with a classes.txt that names the digits in words ("zero" ...
"nine"); trains on it with `digitnet train --data FOLDER` (the model file keeps the names); serves
that model with `digitnet serve MODEL --data FOLDER`, draws a 3 on the pad in headless Chromium,
and shoots the top of the page: the names on the bars, the verdict, the teaching buttons and
the test images. A set of your own (Fashion-MNIST, KMNIST) comes in the same way.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "tests"))
from make_pictures import digitnet, served_page  # noqa: E402
from strokes import draw_on_pad  # noqa: E402

import digitnet as dn  # noqa: E402
from digitnet.data.idx import write_idx  # noqa: E402

WORDS = "zero one two three four five six seven eight nine".split()


def named_mnist(folder: Path) -> None:
    """MNIST's first images in `folder`, in MNIST's file names, with a classes.txt of WORDS."""
    (X, y), (Xt, yt) = dn.load_mnist(dtype="uint8")
    for split, images, labels in (("train", X[:12000], y[:12000]), ("t10k", Xt[:2000], yt[:2000])):
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", images.reshape(-1, 28, 28))
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels.astype(np.uint8))
    (folder / "classes.txt").write_text("\n".join(WORDS) + "\n")


def main() -> None:
    out = DOCS / "live-classes.png"
    with tempfile.TemporaryDirectory() as tmp:
        folder, model = Path(tmp) / "words", Path(tmp) / "words.npz"
        folder.mkdir()
        named_mnist(folder)
        trained = digitnet("train", "--data", str(folder), "--quiet", "--out", str(model))
        print(trained.strip())
        with served_page(str(model), "--data", str(folder), cwd=Path(tmp)) as page:
            page.wait_for_function("document.querySelectorAll('#strip .read').length === 24")
            draw_on_pad(page, 3)
            page.wait_for_function("window.lastResult && document.body.dataset.state === 'idle'")
            page.wait_for_function("document.getAnimations().length === 0")
            bottom = max(
                page.locator(part).bounding_box()["y"]
                + page.locator(part).bounding_box()["height"]
                for part in ("#pad-panel", "#verdict-panel", "#strip-panel")
            )
            page.screenshot(
                path=str(out), clip={"x": 0, "y": 0, "width": 1280, "height": bottom + 16}
            )
            print(f"wrote {out}: the page reads {page.text_content('#prediction')!r}")


if __name__ == "__main__":
    main()
