"""The README says what the code does: its flags, its history columns, its sample output, its
presets. (Its figures come from docs/readme_figures.py and the benchmarks.)"""

import re
from pathlib import Path

import pytest

from digitnet.app.cli import build_parser, main
from digitnet.training.callbacks import epoch_line
from digitnet.training.settings import PRESETS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def section(heading_start: str) -> str:
    """The README's text from the heading that starts with `heading_start` to the next one."""
    start = README.index(heading_start)
    rest = README[start + len(heading_start) :]
    end = re.search(r"^#{2,3} ", rest, flags=re.MULTILINE)
    return README[start : start + len(heading_start) + (end.start() if end else len(rest))]


def parser_flags(command: str) -> set[str]:
    """Every long option of a subcommand, as the parser knows it (without --help)."""
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    options = subparsers.choices[command]._option_string_actions
    return {flag for flag in options if flag.startswith("--") and flag != "--help"}


def test_train_flag_table_lists_exactly_the_parsers_flags():
    rows = [line for line in section("### `digitnet train`").splitlines() if line.startswith("|")]
    documented = {flag for row in rows for flag in re.findall(r"`(--[a-z-]+)", row.split("|")[1])}
    assert documented == parser_flags("train")


@pytest.mark.parametrize("command", ["evaluate", "plot", "predict", "serve"])
def test_command_headings_list_exactly_the_parsers_flags(command):
    heading = re.search(rf"^### `digitnet {command} (.*)`$", README, flags=re.MULTILINE)
    assert heading, f"no heading for digitnet {command}"
    assert set(re.findall(r"--[a-z-]+", heading.group(1))) == parser_flags(command)


def history_columns(idx_folder, tmp_path, *flags: str) -> list[str]:
    """The header of the --history file of a one-epoch run on the tiny IDX folder."""
    history, model = tmp_path / "history.csv", tmp_path / "model.npz"
    argv = ["train", "--data", idx_folder, "--epochs", 1, "--quiet", "--batch-size", 16, *flags]
    assert main([str(a) for a in [*argv, "--out", model, "--history", history]]) == 0
    return history.read_text().splitlines()[0].split(",")


def test_history_columns_are_those_the_file_has(idx_folder, tmp_path):
    row = next(line for line in README.splitlines() if line.startswith("| `--history"))
    always, _, augmenting = re.search(r"\(([^)]*)\)", row).group(1).partition(";")
    assert history_columns(idx_folder, tmp_path) == re.findall(r"\w+", always)
    augmented = history_columns(idx_folder, tmp_path, "--augment", "affine")
    assert set(augmented) - set(re.findall(r"\w+", always)) == {re.findall(r"\w+", augmenting)[0]}


def shape(line: str) -> str:
    """A printed line with every number replaced by #, and runs of spaces by one."""
    return re.sub(" +", " ", re.sub(r"\d[\d,.]*", "#", line))


def test_sample_output_has_the_shape_of_what_train_prints():
    sample = re.search(r"```\n(data: .*?)```", README, flags=re.DOTALL).group(1)
    epoch_lines = [line for line in sample.splitlines() if line.startswith("epoch")]
    metrics = {"loss": 0.1, "accuracy": 0.9, "val_loss": 0.1, "val_accuracy": 0.9}
    printed = epoch_line(1, 20, {**metrics, "seconds": 0.3, "images_per_second": 2e5}, "test")
    assert epoch_lines and all(shape(line) == shape(printed) for line in epoch_lines)
    assert re.search(r"^test accuracy: [\d.]+% \(loss", sample, flags=re.MULTILINE)


def test_fast_preset_is_described_as_it_is():
    fast = PRESETS["fast"]
    described = re.search(r"`digitnet train --preset fast`: .*?epochs\.", README, re.DOTALL)
    assert described, "the README's description of --preset fast is missing"
    text = " ".join(described.group(0).split())
    assert f"to {fast['lr']} over {fast['warmup_epochs']} epochs" in text
    assert f"{fast['epochs']} epochs." in text and f"batch {fast['batch_size']}" in text


def test_lenet_example_runs_and_builds_the_lenet(tmp_path, monkeypatch):
    """The README's LeNet block, run as written on a small slice of MNIST (load_mnist patched)."""
    import digitnet as dn

    block = re.search(r"```python\n(.*?Conv2D.*?)```", README, flags=re.DOTALL).group(1)
    (X, y), (X_test, y_test) = dn.load_mnist(dtype="uint8")
    small = ((X[:256], y[:256]), (X_test[:128], y_test[:128]))
    monkeypatch.setattr(dn, "load_mnist", lambda **kwargs: small)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(block, scope)
    model = dn.load_model(tmp_path / "lenet.npz")
    assert [layer.config()["type"] for layer in model.layers] == [
        "conv2d", "relu", "maxpool2d", "conv2d", "relu", "maxpool2d", "flatten", "dense",
        "relu", "dense",
    ]  # fmt: skip
    assert model.layers[7].in_features == 32 * 7 * 7
    assert "--layers" in section("## Convolutional networks")


def test_cnn_presets_are_described_as_they_are():
    """The README's table of the CNN presets shows each preset's layers."""
    start = README.index("## Convolutional networks")
    text = " ".join(README[start : README.index("\n## ", start + 1)].split())
    for name in ("cnn", "cnn-best"):
        assert f"`{name}`" in text
        assert PRESETS[name]["layers"] in text
