"""Make the pictures of a run's per-layer statistics that docs/plots.md shows, with digitnet's
own command.

    python docs/run_pictures.py

Runs `digitnet train --quiet --plots DIR` (the default network and recipe) in a temporary folder
and copies its activations.png, gradients.png and updates.png into docs/.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
PICTURES = ("activations.png", "gradients.png", "updates.png")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        plots, model = Path(folder) / "plots", Path(folder) / "model.npz"
        command = [sys.executable, "-m", "digitnet", "train", "--quiet", "--plots", str(plots)]
        done = subprocess.run([*command, "--out", str(model)], check=True, capture_output=True)
        print(done.stdout.decode().splitlines()[-1])
        for name in PICTURES:
            shutil.copy(plots / name, DOCS / name)
            print(f"wrote {DOCS / name}")


if __name__ == "__main__":
    main()
