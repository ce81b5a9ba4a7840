"""Make the picture of docs/export.md: an exported model opened in Netron.

    python docs/export_figures.py MODEL

Exports MODEL as ONNX into a temporary folder, serves it with the `netron` package (its viewer
runs from the package, offline: pip install netron), opens it in headless Chromium (Debian's,
driven by Playwright) with every request to another host refused (Netron would send usage
reports), and saves docs/netron.png, the graph as Netron draws it.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
PORT = 8091


def main(argv: list[str] | None = None) -> None:
    import netron
    from playwright.sync_api import sync_playwright

    import digitnet as dn

    model = dn.load_model((argv or sys.argv[1:])[0])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cnn.onnx"
        dn.export(model, path)
        netron.serve(str(path), address=("localhost", PORT), browse=False)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu",
                      "--disable-background-networking"],
            )  # fmt: skip
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            local = f"http://localhost:{PORT}/"
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(local)
                       else r.abort())  # fmt: skip  # Netron's usage reports go nowhere
            page.goto(local, wait_until="load")
            page.get_by_text("Accept").click(timeout=30_000)  # its cookie notice, once
            page.wait_for_selector("#canvas .node", timeout=30_000)
            page.mouse.move(0, 0)  # no node highlighted under the pointer
            time.sleep(1)  # the layout settles
            box = page.locator("#canvas .node").first.bounding_box()
            last = page.locator("#canvas .node").last.bounding_box()
            assert box is not None and last is not None
            top = max(0, min(box["y"], last["y"]) - 60)
            bottom = max(box["y"] + box["height"], last["y"] + last["height"]) + 60
            clip = {"x": 450, "y": top, "width": 500, "height": bottom - top}
            page.screenshot(path=str(DOCS / "netron.png"), clip=clip)
            browser.close()
        netron.stop(("localhost", PORT))
    print(f"wrote {DOCS / 'netron.png'}")


if __name__ == "__main__":
    main()
