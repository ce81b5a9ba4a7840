"""`digitnet compare`: recipes as text, side-by-side runs from the same start, the table and
the picture, and one-line errors."""

import subprocess
import sys

import pytest

from digitnet.app.recipes import parse_recipe, plan_recipes, run_recipes, same_threads
from digitnet.errors import DigitnetError
from digitnet.nn import threads


def test_recipes_parse_into_run_settings():
    assert parse_recipe("adam") == {"optimizer": "adam"}
    assert parse_recipe("momentum lr=0.05 batch=64 schedule=constant warmup=1 decay=0.01") == {
        "optimizer": "momentum",
        "lr": 0.05,
        "batch_size": 64,
        "schedule": "constant",
        "warmup_epochs": 1.0,
        "weight_decay": 0.01,
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "must start with an optimizer"),
        ("sgd lr=0.1", "must start with an optimizer: gd, momentum, nesterov, adam"),
        ("gd rate=0.1", "'rate=0.1' is not key=value with a key among lr, batch"),
        ("gd lr=fast", "lr must be a number"),
        ("gd lr=0", "lr must be > 0"),
        ("gd lr=nan", "must be a finite number"),
        ("gd batch=1.5", "batch must be a whole number"),
        ("gd schedule=wavy", "schedule must be one of"),
        ("gd lr=0.1 lr=0.2", "lr is given twice"),
        ("gd momentum=0.9", "momentum applies to momentum and nesterov only"),
        ("momentum momentum=1.5", "momentum"),
        ("adam warmup=20", "warmup must be at most --epochs (10)"),
    ],
)
def test_bad_recipes_are_refused_with_the_reason(text, reason):
    with pytest.raises(DigitnetError) as error:
        plan_recipes([text], epochs=10)
    assert reason in str(error.value)


def test_recipes_start_from_the_same_weights_and_see_the_same_batches():
    same, faster, diverging, again = run_recipes(
        [
            "gd lr=0.05 schedule=constant",
            "gd lr=0.2 schedule=constant",
            "gd lr=1e4",
            "gd lr=0.05 schedule=constant",  # after others: must start where the first did
        ],
        epochs=2,
        limit=1000,
    )
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):  # same start and order: the
        assert same.history[key] == again.history[key]  # same run, bit for bit
    assert faster.history["loss"][-1] < same.history["loss"][-1]
    assert len(same.history["val_accuracy"]) == 2 and same.diverged is None
    assert "training diverged" in diverging.diverged


@pytest.mark.slow  # a subprocess
def test_the_command_prints_the_table_and_writes_the_picture(tmp_path):
    out = tmp_path / "curves.png"
    done = subprocess.run(
        [sys.executable, "-m", "digitnet", "compare", "gd lr=0.1", "adam", "--epochs", "1",
         "--limit", "1000", "--out", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "784-128-64-10 MLP, 1,000 training images, 1 epoch, seed 0; scored on test"
    assert lines[2].startswith("gd lr=0.1 ") and lines[3].startswith("adam ")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = subprocess.run(
        [sys.executable, "-m", "digitnet", "compare", "sgd", "--out", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "optimizer" in bad.stderr
    assert bad.stdout == ""  # refused before anything is printed or trained
    diverged = subprocess.run(
        [sys.executable, "-m", "digitnet", "compare", "gd lr=1e6", "--epochs", "1",
         "--limit", "500", "--out", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert diverged.returncode == 3 and "diverged" in diverged.stdout and diverged.stderr == ""


def test_a_recipe_that_stops_learning_says_so_in_the_table(tmp_path, capsys):
    """Plain gradient descent at lr 2 kills most ReLU units and ends at chance: the table says
    so, with the same hint `digitnet train` prints; a recipe that learns gets none."""
    from digitnet.app.cli import main

    recipes = ["gd lr=2 batch=32 schedule=constant", "adam"]
    out = str(tmp_path / "c.png")
    assert main(["compare", *recipes, "--epochs", "3", "--limit", "20000", "--out", out]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith(recipes[0]) and lines[2].endswith("  not learning (hint below)")
    assert "11.35%" in lines[2]
    assert lines[3].startswith("  hint: ") and "(dead ReLUs)" in lines[3]
    assert lines[4].startswith("adam ") and "not learning" not in lines[4]


def test_every_recipe_runs_on_one_thread_count_chosen_once(monkeypatch):
    """The default thread count drops to one while other programs are busy: were it chosen per
    recipe, two runs of one recipe could round differently, and the bit-for-bit check of
    test_recipes_start_from_the_same_weights_and_see_the_same_batches fail on a busy machine."""
    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    for name in threads.THREAD_VARIABLES:  # a cap of the user's would decide instead
        monkeypatch.delenv(name, raising=False)
    plans = plan_recipes(["gd", "adam", "gd lr=0.2"], 1, 0, None, 784)
    loads = iter([0, 99, 99, 99])  # idle when the count is chosen, then busy
    monkeypatch.setattr(threads, "busy_elsewhere", lambda: next(loads))
    same_threads(plans, None)
    assert [settings.threads for settings in plans] == [2, 2, 2]
    same_threads(plans, 3)  # --threads 3
    assert [settings.threads for settings in plans] == [3, 3, 3]
