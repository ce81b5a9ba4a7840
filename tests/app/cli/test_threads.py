"""--threads on the commands: the plan says it, a checkpoint keeps it, resume uses it again."""

import json

import numpy as np
import pytest

import digitnet as dn
from digitnet.app.cli import main, train_callbacks
from digitnet.nn import parallel
from digitnet.training.checkpoint import load_checkpoint

SMALL_CNN = "conv 4 3 pad 1, batchnorm, relu, maxpool 2, dense 16, relu, dropout 0.2"


@pytest.fixture(autouse=True)
def split_any_batch(monkeypatch):
    """The tiny networks here have little work: let every batch be split all the same."""
    monkeypatch.setattr(parallel, "MIN_SHARE_WORK", 1)


def train_argv(idx_folder, out, *extra):
    argv = ["train", "--data", str(idx_folder), "--layers", SMALL_CNN, "--epochs", "2"]
    return [*argv, "--batch-size", "32", "--seed", "5", "--out", str(out), *extra]


@pytest.mark.parametrize("threads", ["1", "2"])
def test_the_plan_says_the_threads_and_what_a_step_runs_on(idx_folder, tmp_path, capsys, threads):
    assert main(train_argv(idx_folder, tmp_path / "m.npz", "--threads", threads)) == 0
    plan = capsys.readouterr().out.splitlines()[2]
    assert plan == f"threads: {threads}; a step of 32 images runs on {threads}"


def test_the_plan_says_when_a_step_is_too_small_to_share(
    idx_folder, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(parallel, "MIN_SHARE_WORK", 10**12)
    assert main(train_argv(idx_folder, tmp_path / "m.npz", "--threads", "2")) == 0
    plan = capsys.readouterr().out.splitlines()[2]
    assert (
        plan == "threads: 2; a step of 32 images runs on 1, its matrix products on the BLAS's 2 "
        "threads"
    )


def stop_after_first_epoch(monkeypatch):
    class StopAfterFirst(train_callbacks.StopAfterEpoch):
        def on_epoch_end(self, epoch, logs):
            self.requested = True  # as if Ctrl-C came during epoch 1
            super().on_epoch_end(epoch, logs)

    monkeypatch.setattr("digitnet.app.cli.train.StopAfterEpoch", StopAfterFirst)


def test_a_checkpoint_keeps_the_thread_count_and_resume_uses_it_unless_given(
    idx_folder, tmp_path, monkeypatch, capsys
):
    straight = tmp_path / "straight.npz"
    assert main(train_argv(idx_folder, straight, "--threads", "2", "--quiet")) == 0
    stop_after_first_epoch(monkeypatch)
    checkpoints = tmp_path / "ck"
    argv = train_argv(idx_folder, tmp_path / "b.npz", "--threads", "2", "--quiet")
    assert main([*argv, "--checkpoint-dir", str(checkpoints)]) == 130
    monkeypatch.undo()
    monkeypatch.setattr(parallel, "MIN_SHARE_WORK", 1)
    assert load_checkpoint(checkpoints).settings["threads"] == 2
    resumed = tmp_path / "resumed.npz"
    capsys.readouterr()
    assert main(["train", "--resume", str(checkpoints), "--out", str(resumed)]) == 0
    assert "threads: 2; a step of 32 images runs on 2" in capsys.readouterr().out
    np.testing.assert_array_equal(  # two threads from start to end: the same bits
        dn.load_model(resumed).flat_params, dn.load_model(straight).flat_params
    )
    again = ["train", "--resume", str(checkpoints), "--threads", "1", "--out", str(resumed)]
    assert main(again) == 0
    assert "threads: 1; a step of 32 images runs on 1" in capsys.readouterr().out


def test_without_threads_a_run_records_the_default_count(idx_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    checkpoints = tmp_path / "ck"
    argv = train_argv(idx_folder, tmp_path / "m.npz", "--quiet", "--epochs", "1")
    assert main([*argv, "--checkpoint-dir", str(checkpoints)]) == 0
    assert load_checkpoint(checkpoints).settings["threads"] == 1


@pytest.mark.parametrize("command", ["train", "evaluate", "predict", "compare", "serve"])
@pytest.mark.parametrize("bad", ["0", "-2", "two"])
def test_a_bad_thread_count_is_refused_in_one_line(command, bad, capsys):
    arguments = {"train": [], "evaluate": ["m.npz"], "predict": ["m.npz", "x.png"]}
    arguments |= {"compare": ["adam"], "serve": []}
    with pytest.raises(SystemExit) as exit_:
        main([command, *arguments[command], "--threads", bad])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"--threads: expected an integer >= 1, got '{bad}'" in err


def test_evaluate_on_two_threads_scores_as_on_one(idx_folder, tmp_path, capsys):
    model = tmp_path / "m.npz"
    assert main(train_argv(idx_folder, model, "--quiet")) == 0
    scores = []
    for threads in ("1", "2"):
        capsys.readouterr()
        assert main(["evaluate", str(model), "--data", str(idx_folder), "--json",
                     "--threads", threads]) == 0  # fmt: skip
        scores.append(json.loads(capsys.readouterr().out))
    assert scores[0]["accuracy"] == scores[1]["accuracy"] and scores[0]["n"] == 100
    assert abs(scores[0]["loss"] - scores[1]["loss"]) < 1e-6


def test_train_profile_prints_each_layer_and_the_two_yardsticks(idx_folder, tmp_path, capsys):
    argv = train_argv(idx_folder, tmp_path / "m.npz", "--threads", "2", "--profile", "--quiet")
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("profile: medians of ") and "(2 threads, each on its share)" in out[0]
    assert out[1].split() == ["layer", "forward", "backward", "share"]
    names = [line.split()[0] for line in out[2:9]]
    assert names == ["conv", "batchnorm", "relu", "maxpool", "flatten", "dense", "relu"]
    shares = [float(line.split()[-1].rstrip("%")) for line in out[2:12] if line.endswith("%")]
    assert 95 < sum(shares) < 105  # layers and the rest make up the step
    assert any(line.strip().startswith("matrix products alone") for line in out)
    assert "FLOP bound" in out[-2] and out[-1].startswith("test accuracy")
