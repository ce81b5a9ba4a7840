"""docs/run_readme.py, which CI runs: it finds the README's set-up and tour commands with their
sample outputs, stands in for the lines that wait for a person, and notices a figure the run did
not print. (The run itself takes minutes: CI runs the script, not this test.)"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs"))
import run_readme  # noqa: E402

README = (ROOT / "README.md").read_text()


def chosen_blocks(text: str = README) -> list[tuple[str, str]]:
    return run_readme.blocks(run_readme.sections(text, run_readme.SECTIONS))


def test_the_main_job_comes_first_and_the_test_command_is_left_to_ci():
    commands = [code for code, _ in chosen_blocks()]
    assert "pip install . && digitnet train" in commands[0]
    assert sum(run_readme.SKIPPED in code for code in commands) == 1  # the test command


def test_the_set_up_starts_by_cloning_and_the_run_clones_this_checkout():
    first = chosen_blocks()[0][0]
    assert first.startswith("git clone URL digitnet && cd digitnet\n")
    assert run_readme.as_script(first).startswith('git clone -q "$REPOSITORY" digitnet && cd ')


def test_the_tour_trains_reads_serves_and_opens_an_exercise_and_a_tutorial():
    tour = "\n".join(code for code, _ in chosen_blocks())
    for command in ("digitnet train --preset cnn", "digitnet predict", "digitnet serve"):
        assert command in tour
    assert "digitnet learn start" in tour and "jupyter notebook" in tour
    script = run_readme.as_script(tour)
    assert "serve_until_it_answers cnn.npz" in script and "execute_notebook " in script
    assert "\ndigitnet serve" not in "\n" + script


def test_each_sample_output_belongs_to_its_command():
    samples = {code.split("\n")[-2]: sample for code, sample in chosen_blocks() if sample}
    assert run_readme.accuracies(samples["pip install . && digitnet train"]) == [(98.01, 0.0691)]
    assert run_readme.accuracies(samples["digitnet train --preset cnn --out cnn.npz"])
    assert any(run_readme.numbers_read(sample) for sample in samples.values())


def test_a_figure_the_run_did_not_print_is_reported():
    shown = "test accuracy: 98.01% (loss 0.0691, n=10000)\n.../x.jpg: 2710   (2: 100%)\n"
    close = "test accuracy: 98.06% (loss 0.0695, n=10000) ...\n/t/x.jpg: 2710   (2: 100%)\n"
    assert run_readme.unmatched(shown, close) == []
    far = "test accuracy: 97.80% (loss 0.0691, n=10000)\n/t/x.jpg: 2716   (2: 100%)\n"
    assert run_readme.unmatched(shown, far) == [
        "test accuracy 98.01% (loss 0.0691)",
        "photo read as '2710   (2: 100%)'",
    ]
