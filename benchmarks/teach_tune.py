"""How POST /api/teach should teach: misread pen-stroke digits taught their right label, for MLPs
of three strengths; for each setting, how many are read right afterwards, in how many steps, and
what it cost on the test set. The constants in src/digitnet/app/serve/teach.py come from this run.

    python benchmarks/teach_tune.py
"""

import itertools
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the pen strokes

from strokes import render  # noqa: E402

import digitnet as dn  # noqa: E402
from digitnet.app.serve.teach import TaughtSet, teach  # noqa: E402
from digitnet.data.preprocess import to_mnist  # noqa: E402

# teach.teach's settings: (lr, copies of the drawing, replayed images, most steps, stop at
# this probability)
SETTINGS = [
    (0.02, 8, 120, 20, 0.8),
    (0.02, 8, 120, 50, 0.8),
    (0.05, 8, 120, 20, 0.8),
    (0.02, 16, 112, 30, 0.8),
    (0.03, 12, 116, 30, 0.8),
]
MODELS = {  # name: (training images, epochs, Adam's lr)
    "mlp-3000": (3000, 3, 3e-3),
    "mlp-6000": (6000, 3, 2e-3),
    "mlp-60000": (60000, 5, 1e-3),
}


def main():
    with tempfile.TemporaryDirectory() as folder:  # an empty taught set, never written to
        measure(TaughtSet(Path(folder) / "taught.csv"))


def measure(no_drawings):
    """Teach each setting to each MLP's misread drawings; print what it did."""
    (X, y), (X_test, y_test) = dn.load_mnist(dtype="uint8")
    drawings = [
        (render(d, size=size, width=w, rotate=rot, dark_on_light=False), d)
        for d, rot, w, size in itertools.product(range(10), (-30, 0, 30), (5, 14), (60, 100))
    ]
    fields = np.stack([to_mnist(np.asarray(p, np.float32) / 255, "x") for p, _ in drawings])
    labels = np.array([d for _, d in drawings])
    for name, (n, epochs, lr) in MODELS.items():
        model = dn.MLP(seed=0)
        model.fit(X[:n], y[:n], epochs=epochs, optimizer=dn.Adam(lr=lr), lr_schedule="constant",
                  verbose=0)  # fmt: skip
        base = model.score(X_test, y_test)
        wrong = np.flatnonzero(model.predict(fields.reshape(len(fields), -1)) != labels)
        picks = np.random.default_rng(1).choice(wrong, min(20, len(wrong)), replace=False)
        print(f"{name}: test {base:.2%}; misreads {len(wrong)} of {len(drawings)} drawings")
        for setting in SETTINGS:
            flipped, steps, drops = 0, [], []
            for i in picks:
                taught = model.copy()
                rng = np.random.default_rng(int(i))
                steps.append(teach(taught, fields[i], labels[i], X, y, no_drawings, rng, *setting))
                flipped += taught.predict(fields[i].reshape(1, -1))[0] == labels[i]
                drops.append(base - taught.score(X_test, y_test))
            print(
                f"  lr {setting[0]} copies {setting[1]} replay {setting[2]} at most "
                f"{setting[3]} steps: read right {flipped}/{len(picks)}, steps "
                f"{np.mean(steps):.1f}, test accuracy lost {np.mean(drops) * 100:.2f} points "
                f"on average, {np.max(drops) * 100:.2f} at worst"
            )


if __name__ == "__main__":
    main()
