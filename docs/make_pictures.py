"""Make the pictures the docs show, with digitnet's own commands.

    python docs/make_pictures.py        # needs Playwright and /usr/bin/chromium for serve.png

Trains the default network (`digitnet train --history`), draws its pictures (`digitnet plot`),
then starts `digitnet serve`, draws a digit on the page in headless Chromium and takes a
screenshot (docs/serve.png).
"""

import contextlib
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "tests"))
from strokes import draw_on_pad  # noqa: E402


def digitnet(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "digitnet", *args], check=True, capture_output=True, text=True
    ).stdout


@contextlib.contextmanager
def served_page(*serve_args: str, cwd: Path | None = None) -> Iterator:
    """`digitnet serve SERVE_ARGS --port 0`, and a 1280x900 headless Chromium page open on it."""
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen(
        [sys.executable, "-m", "digitnet", "serve", *serve_args, "--port", "0"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = re.search(r"http://\S+/", server.stdout.readline()).group(0)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            yield page
            browser.close()
    finally:
        server.terminate()
        server.wait()


def screenshot(model: Path, out: Path, digit: int = 2) -> None:
    """The page serving `model`, with `digit` drawn on the pad, as a full-page PNG."""
    with served_page(str(model)) as page:
        draw_on_pad(page, digit)
        page.wait_for_function("window.lastResult && document.body.dataset.state === 'idle'")
        # the bars slide to their new widths (a CSS transition): shoot once they have stopped
        page.wait_for_function("document.getAnimations().length === 0")
        page.screenshot(path=str(out), full_page=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        model, history = Path(tmp) / "model.npz", Path(tmp) / "history.csv"
        print(digitnet("train", "--quiet", "--out", str(model), "--history", str(history)).strip())
        print(digitnet("plot", str(model), "--history", str(history), "--out", str(DOCS)).strip())
        print(
            digitnet(
                "train",
                "--augment",
                "elastic",
                "--show-augmented",
                str(DOCS / "augmented.png"),
                "--limit",
                "200",
                "--epochs",
                "1",
                "--quiet",
                "--out",
                str(Path(tmp) / "tiny.npz"),
            ).strip()
        )
        screenshot(model, DOCS / "serve.png")
        print(f"wrote {DOCS / 'serve.png'}")


if __name__ == "__main__":
    main()
