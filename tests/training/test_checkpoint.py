"""Checkpoints: save and load, bit-identical resume, real runs stopped by Ctrl-C or kill -9."""

import json
import shlex
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import digitnet as dn
from digitnet.app.cli import main
from digitnet.app.cli import train as train_command
from digitnet.errors import DigitnetError, DivergenceError
from digitnet.training.checkpoint import load_checkpoint, save_checkpoint

# A run long enough to be interrupted in the middle (~1.5 s), small enough for the suite.
RUN = [
    "train",
    "--limit",
    "12000",
    "--hidden",
    "512,256",
    "--epochs",
    "6",
    "--batch-size",
    "64",
    "--quiet",
    "--threads",  # not the load-dependent default (see test_api_resume_is_bit_identical)
    "2",
    "--seed",
    "3",
]


def same_weights(a, b) -> bool:
    return all(
        np.array_equal(x, y) for x, y in zip(a.parameters().values(), b.parameters().values())
    )


def test_api_resume_is_bit_identical(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, (400, 784)).astype(np.uint8), rng.integers(0, 10, 400)
    # threads given: by default the count follows the machine's load, and another count sums
    # each batch's gradient in another order (same seed and thread count: same bits)
    kwargs = dict(
        epochs=4, batch_size=32, verbose=0, lr_schedule="cosine", warmup_epochs=1, threads=2
    )
    straight = dn.MLP(seed=1)
    straight.fit(X, y, optimizer=dn.Adam(lr=3e-3), **kwargs)

    first, optimizer, history = dn.MLP(seed=1), dn.Adam(lr=3e-3), dn.History()

    class StopAfterTwo(dn.Callback):
        def on_train_begin(self, run):
            self.run = run

        def on_epoch_end(self, epoch, logs):
            self.run.stop_training = epoch == 2

    first.fit(X, y, optimizer=optimizer, callbacks=[history, StopAfterTwo()], **kwargs)
    save_checkpoint(tmp_path, first, optimizer, 2, history, {"note": "test"})

    saved = load_checkpoint(tmp_path, dn.Sequential)
    assert saved.epoch == 2 and saved.settings == {"note": "test"} and len(saved.history) == 2
    resumed_optimizer = dn.Adam(lr=3e-3)
    resumed_optimizer.load_state_dict(
        saved.optimizer_state_for(split_decay=False), [saved.model.flat_params]
    )
    assert resumed_optimizer.t == optimizer.t
    saved.model.fit(X, y, optimizer=resumed_optimizer, initial_epoch=2, **kwargs)
    assert same_weights(saved.model, straight)


def test_missing_or_foreign_checkpoint(tmp_path):
    with pytest.raises(DigitnetError, match="no checkpoint.npz"):
        load_checkpoint(tmp_path)
    dn.MLP([4, 3, 2]).save(tmp_path / "checkpoint.npz")  # a model, not a checkpoint
    with pytest.raises(DigitnetError, match="not a digitnet checkpoint"):
        load_checkpoint(tmp_path)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("straight") / "model.npz"
    assert main([*RUN, "--out", str(out)]) == 0
    return dn.load_model(out)


def resumed_weights_equal(checkpoints, out, uninterrupted) -> bool:
    """Resume the run in `checkpoints` to its end; are its weights those of `uninterrupted`?"""
    assert main(["train", "--resume", str(checkpoints), "--quiet", "--out", str(out)]) == 0
    return same_weights(dn.load_model(out), uninterrupted)


def start_and_stop(tmp_path, stop_signal):
    """Start a real training process; once epoch 2 is checkpointed, send it `stop_signal`."""
    checkpoints = tmp_path / "ck"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "digitnet",
            *RUN,
            "--checkpoint-dir",
            str(checkpoints),
            "--out",
            str(tmp_path / "model.npz"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None:
        try:
            if load_checkpoint(checkpoints).epoch >= 2:
                break
        except DigitnetError:
            pass
        time.sleep(0.005)
    assert process.poll() is None, "the run ended before it could be interrupted"
    process.send_signal(stop_signal)
    out, err = process.communicate(timeout=60)
    return process.returncode, err, checkpoints


@pytest.mark.slow  # a subprocess
def test_ctrl_c_saves_at_the_epoch_boundary_and_resume_is_bit_identical(tmp_path, uninterrupted):
    code, err, checkpoints = start_and_stop(tmp_path, signal.SIGINT)
    assert code == 130, err
    assert "stopped after epoch" in err and "--resume" in err
    assert "Traceback" not in err
    epoch = load_checkpoint(checkpoints).epoch
    assert 2 <= epoch < 6
    assert resumed_weights_equal(checkpoints, tmp_path / "resumed.npz", uninterrupted)


@pytest.mark.slow  # a subprocess
def test_kill_9_leaves_a_checkpoint_that_loads_and_resumes_bit_identical(tmp_path, uninterrupted):
    code, _, checkpoints = start_and_stop(tmp_path, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert load_checkpoint(checkpoints).epoch >= 2
    assert not [p for p in checkpoints.iterdir() if p.name != "checkpoint.npz"]  # no leftovers
    assert resumed_weights_equal(checkpoints, tmp_path / "resumed.npz", uninterrupted)


def test_resume_refuses_changed_settings(tmp_path, capsys):
    checkpoints = tmp_path / "ck"
    assert (
        main(
            [
                *RUN[:-2],
                "--epochs",
                "1",
                "--limit",
                "500",
                "--checkpoint-dir",
                str(checkpoints),
                "--out",
                str(tmp_path / "m.npz"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["train", "--resume", str(checkpoints), "--lr", "0.5"]) == 2
    assert "--lr 0.5 disagrees" in capsys.readouterr().err


def test_divergence_leaves_the_last_good_checkpoint(tmp_path, monkeypatch, capsys):
    import digitnet.training.loop as train_module

    real_epoch = train_module.train_epoch

    def diverge_in_epoch_3(model, batches, optimizer, rates, run, callbacks):
        if run.epoch == 3:
            raise DivergenceError(f"training diverged: the loss became nan at epoch {run.epoch}")
        return real_epoch(model, batches, optimizer, rates, run, callbacks)

    monkeypatch.setattr(train_module, "train_epoch", diverge_in_epoch_3)
    checkpoints, out = tmp_path / "ck", tmp_path / "m.npz"
    code = main(
        [
            "train",
            "--limit",
            "500",
            "--epochs",
            "5",
            "--quiet",
            "--checkpoint-dir",
            str(checkpoints),
            "--out",
            str(out),
        ]
    )
    assert code == 3 and "smaller learning rate" in capsys.readouterr().err
    saved = load_checkpoint(checkpoints)
    assert saved.epoch == 2 and np.isfinite(saved.model.flat_params).all()
    assert not out.exists()  # no model from a diverged run


class _CtrlCInFirstEpoch(train_command.StopAfterEpoch):
    """As if Ctrl-C had been pressed once during the first epoch."""

    def __enter__(self):
        self.requested = True
        return self

    def __exit__(self, *exc) -> None:
        pass


def interrupted_run(folder, monkeypatch, capsys) -> list[str]:
    """In `folder`, start a 2-epoch run saving to mine.npz that Ctrl-C stops after epoch 1;
    return the resume command it prints (without the leading `digitnet`)."""
    monkeypatch.chdir(folder)
    real = train_command.StopAfterEpoch
    monkeypatch.setattr(train_command, "StopAfterEpoch", _CtrlCInFirstEpoch)
    flags = "--limit 500 --hidden 8 --epochs 2 --quiet --checkpoint-dir ck --out mine.npz"
    assert main(["train", *flags.split()]) == 130
    monkeypatch.setattr(train_command, "StopAfterEpoch", real)
    err = capsys.readouterr().err
    command = shlex.split(err.split("continue with: ")[1].splitlines()[0])
    assert command[0] == "digitnet"
    return command[1:]


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """Another folder, the current one, holding an unrelated model.npz."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    dn.MLP([4, 3, 2]).save(folder / "model.npz")
    return folder


def test_resume_hint_continues_the_run_into_its_own_out(tmp_path, elsewhere, monkeypatch, capsys):
    run_folder = tmp_path / "run"
    run_folder.mkdir()
    resume = interrupted_run(run_folder, monkeypatch, capsys)
    after_epoch_1 = (run_folder / "mine.npz").read_bytes()
    unrelated = (elsewhere / "model.npz").read_bytes()

    monkeypatch.chdir(elsewhere)
    assert main(resume) == 0, capsys.readouterr().err
    assert f"model saved to {run_folder / 'mine.npz'}" in capsys.readouterr().out
    assert (elsewhere / "model.npz").read_bytes() == unrelated
    assert (run_folder / "mine.npz").read_bytes() != after_epoch_1  # epoch 2 saved there
    assert sorted(p.name for p in elsewhere.iterdir()) == ["model.npz"]


def test_resume_out_overrides_and_old_checkpoints_save_to_model_npz(
    tmp_path, elsewhere, monkeypatch, capsys
):
    run_folder = tmp_path / "run"
    run_folder.mkdir()
    interrupted_run(run_folder, monkeypatch, capsys)
    after_epoch_1 = (run_folder / "mine.npz").read_bytes()
    checkpoints = run_folder / "ck"
    monkeypatch.chdir(elsewhere)
    assert main(["train", "--resume", str(checkpoints), "--quiet", "--out", "other.npz"]) == 0
    assert dn.load_model(elsewhere / "other.npz").layers[0].config() == {
        "type": "dense",
        "in_features": 784,
        "out_features": 8,
    }
    assert (run_folder / "mine.npz").read_bytes() == after_epoch_1

    # A checkpoint written before runs recorded their --out resumes into ./model.npz, as then.
    path = checkpoints / "checkpoint.npz"
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(str(arrays["checkpoint_meta"]))
    for key in ("out", "history", "plots"):
        meta["settings"].pop(key, None)
    arrays["checkpoint_meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    assert main(["train", "--resume", str(checkpoints), "--quiet"]) == 0
    assert dn.load_model(elsewhere / "model.npz").layers[0].config() == {
        "type": "dense",
        "in_features": 784,
        "out_features": 8,
    }
