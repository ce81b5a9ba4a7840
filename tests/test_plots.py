"""Plots: `digitnet plot` and `train --plots` write real PNG pictures."""

from PIL import Image

from digitnet.cli import main

PICTURES = {"curves.png", "confusion.png", "mistakes.png", "weights.png"}


def train_tiny(idx_folder, model, *extra) -> int:
    """`digitnet train` for 2 quick epochs on the tiny IDX folder, plus `extra` flags."""
    argv = ["train", "--data", idx_folder, "--epochs", "2", "--quiet", "--batch-size", "16"]
    return main([str(a) for a in [*argv, "--out", model, *extra]])


def assert_pngs(folder, names):
    assert {p.name for p in folder.iterdir()} == names
    for name in names:
        with Image.open(folder / name) as image:
            assert image.format == "PNG" and image.width > 200 and image.height > 100


def test_plot_command_with_history(idx_folder, tmp_path, capsys):
    model, history = tmp_path / "m.npz", tmp_path / "h.csv"
    assert train_tiny(idx_folder, model, "--history", str(history)) == 0
    out = tmp_path / "pictures"
    assert (
        main(
            [
                "plot",
                str(model),
                "--history",
                str(history),
                "--data",
                str(idx_folder),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert_pngs(out, PICTURES)
    assert "wrote" in capsys.readouterr().out


def test_plot_without_history_and_train_plots(idx_folder, tmp_path, capsys):
    model = tmp_path / "m.npz"
    assert train_tiny(idx_folder, model, "--plots", str(tmp_path / "at_end")) == 0
    assert_pngs(tmp_path / "at_end", PICTURES)
    assert (
        main(
            ["plot", str(model), "--data", str(idx_folder), "--out", str(tmp_path / "no_history")]
        )
        == 0
    )
    assert_pngs(tmp_path / "no_history", PICTURES - {"curves.png"})
    assert "no learning curves" in capsys.readouterr().out


def test_plot_needs_a_readable_history(idx_folder, tmp_path, capsys):
    model = tmp_path / "m.npz"
    main(["train", "--data", str(idx_folder), "--epochs", "1", "--quiet", "--out", str(model)])
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    assert main(["plot", str(model), "--history", str(tmp_path / "bad.csv")]) == 2
    assert "not a digitnet history" in capsys.readouterr().err
