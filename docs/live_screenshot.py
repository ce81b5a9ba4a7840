"""A screenshot of the drawing page while a network trains live in it (docs/live.png).

    python docs/live_screenshot.py          # needs Playwright and /usr/bin/chromium

Starts `digitnet serve` without a model file (an untrained network) in a temporary folder, opens
the page in headless Chromium 1280 pixels wide, starts a run from the page's Train panel (the
`cnn` preset on the first 6,000 training images, unless told otherwise), draws a digit on the pad,
and once a couple of epochs have passed, with the run still going, takes a full-page screenshot.
"""

import argparse
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "tests"))
from make_pictures import served_page  # noqa: E402  (the page, as for serve.png)
from strokes import draw_on_pad  # noqa: E402

CHOICES = ["mlp", "fast", "best-small", "best", "cnn", "cnn-best"]  # the page's #net values


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--net", choices=CHOICES, default="cnn", help="network to train (cnn)")
    parser.add_argument("--limit", type=int, default=6000, help="training images (6000)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs of the run (5)")
    parser.add_argument(
        "--shoot-after", type=int, default=2, help="take the picture after this many epochs (2)"
    )
    parser.add_argument("--digit", type=int, default=2, choices=range(10), help="digit drawn (2)")
    parser.add_argument("--out", type=Path, default=DOCS / "live.png", help="docs/live.png")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait at most")
    args = parser.parse_args()
    if not 0 < args.shoot_after < args.epochs:
        parser.error("--shoot-after must be at least 1 and below --epochs (during training)")
    return args


def screenshot(args: argparse.Namespace, folder: Path) -> None:
    """Start a run from the page, draw a digit, and shoot the page during training."""
    with served_page(cwd=folder) as page:
        page.wait_for_selector("#strip .strip-digit")  # the first views have arrived
        page.select_option("#net", args.net)
        page.fill("#epochs", str(args.epochs))
        page.fill("#limit", str(args.limit))
        page.click("#train-start")
        page.wait_for_function("document.getElementById('train-state').textContent !== 'idle'")
        state = page.text_content("#train-state")
        if state != "running":
            sys.exit(f"the run did not start: {state}: {page.text_content('#train-error')}")
        draw_on_pad(page, args.digit)
        # wait for the epochs' test points on the curves (or the end of the run), then for
        # the drawing's answer and the bars to settle
        page.wait_for_function(
            """(epochs) => document.getElementById("train-state").textContent !== "running"
                || Number(document.getElementById("curves").dataset.testPoints) >= epochs""",
            arg=args.shoot_after,
            timeout=args.timeout * 1000,
        )
        page.wait_for_function(
            "window.lastResult && document.body.dataset.state === 'idle' && "
            "document.getAnimations().length === 0"
        )
        state = page.text_content("#train-state")
        if state != "running":
            sys.exit(f"the run is {state} before the picture: use more --epochs or --limit")
        page.screenshot(path=str(args.out), full_page=True)
        print(f"wrote {args.out}: {page.text_content('#train-progress')}")


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        screenshot(args, Path(tmp))


if __name__ == "__main__":
    main()
