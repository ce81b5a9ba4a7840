"""The benchmark scripts on tiny sizes: they report, the same recipe gives the same accuracy in
digitnet and the plain NumPy baseline, and the regression check's verdict follows the timings
(CI's last step runs the real race: benchmarks/check_regression.py)."""

import json
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def benchmarks_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))


@pytest.mark.slow  # a benchmark race
def test_compare_quick_runs_and_reports(benchmarks_on_path, tmp_path, capsys):
    import compare

    out = tmp_path / "bench.json"
    assert compare.main(["--quick", "--only", "digitnet,plain", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    training = report["training"]
    assert set(training) == {"digitnet", "plain NumPy"}
    for result in training.values():
        assert result["median_epoch_seconds"] > 0  # smoke checks: each figure was measured
    # the same network, seed, batches and Adam: the same accuracy (to float32 rounding), and
    # well above chance (10%) after one epoch on 2,000 images
    ours, plain = training["digitnet"]["final_accuracy"], training["plain NumPy"]["final_accuracy"]
    assert ours > 0.5 and abs(ours - plain) <= 0.004, (ours, plain)
    assert report["hardware"]["gemm_peak_gflops"] > 0
    assert report["inference"]["digitnet"]["single_image_microseconds"] > 0
    assert "s/epoch" in capsys.readouterr().out


@pytest.mark.parametrize(
    "ours, plain, threaded, one, code",
    [(0.30, 0.50, 0.02, 0.03, 0), (0.60, 0.50, 0.02, 0.03, 1), (0.30, 0.50, 0.04, 0.03, 1)],
)
def test_regression_check_fails_when_digitnet_is_slower(
    benchmarks_on_path, monkeypatch, capsys, ours, plain, threaded, one, code
):
    """Either path slower than the one it replaces (the MLP than plain NumPy, the CNN on its
    threads than on one) fails the check."""
    import check_regression

    def race(competitors, data, epochs, repeats):
        return {
            "digitnet": {"median_epoch_seconds": ours},
            "plain NumPy": {"median_epoch_seconds": plain},
        }

    monkeypatch.setattr(check_regression, "race", race)
    monkeypatch.setattr(check_regression, "load", lambda limit, test_limit: None)
    monkeypatch.setattr(check_regression, "cnn_step_seconds", lambda s, r: {2: threaded, 1: one})
    assert check_regression.main([]) == code
    mlp, cnn = capsys.readouterr().out.strip().splitlines()[-2:]  # after any notes
    assert mlp.startswith("OK: MLP" if ours <= plain else "REGRESSION: MLP")
    assert f"ratio {ours / plain:.2f}" in mlp
    assert cnn.startswith("OK: CNN" if threaded <= one else "REGRESSION: CNN")
    assert f"ratio {threaded / one:.2f}" in cnn


@pytest.mark.slow  # CNN steps on real images
def test_the_cnn_timing_measures_both_thread_counts(benchmarks_on_path):
    import check_regression

    steps = check_regression.cnn_step_seconds(steps=2, repeats=1)
    assert 1 in steps and all(seconds > 0 for seconds in steps.values())


def test_plain_numpy_baseline_matches_digitnet_for_the_same_seed(benchmarks_on_path):
    """The baseline draws the same initial weights from the same seed (so comparisons are fair)."""
    import numpy as np
    import plain_numpy

    import digitnet as dn

    params, _, _ = plain_numpy.init(seed=3)
    ours = list(dn.MLP(seed=3).parameters().values())  # "0.W", "0.b", "2.W", ...: layer order
    assert len(ours) == len(params) == 6
    for mine, theirs in zip(ours, params):
        assert np.array_equal(mine, theirs)


def test_handwriting_benchmark_explains_itself_with_help(benchmarks_on_path, capsys):
    import handwriting

    with pytest.raises(SystemExit) as stop:
        handwriting.main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage:") and "model" in out


def test_photos_benchmark_reports_each_condition_as_it_goes(capsys):
    """A condition takes seconds to a minute: each prints a line when it is done."""
    import importlib.util

    import digitnet as dn

    # by its path: the benchmark itself imports tests/photos.py, which has the same name
    spec = importlib.util.spec_from_file_location("photos_benchmark", BENCHMARKS / "photos.py")
    assert spec is not None and spec.loader is not None
    photos = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(photos)

    (_, _), (X_test, y_test) = dn.load_mnist()
    results = photos.run(dn.MLP(seed=0), X_test[:2].reshape(-1, 28, 28), y_test[:2], name="MNIST")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == len(results) >= 3
    assert lines[0].startswith("MNIST 1/") and lines[-1].startswith(f"MNIST {len(results)}/")
    assert all(0 <= value <= 1 for value in results.values())


@pytest.mark.parametrize("script", sorted(BENCHMARKS.glob("*.py")), ids=lambda path: path.name)
def test_every_benchmark_script_imports(script, benchmarks_on_path):
    """Each script loads (its imports resolve: a renamed name fails here, not in a user's run);
    loaded by its path under another name, so that no script runs its main."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"benchmark_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.__doc__, f"{script.name} says what it measures in its docstring"


def test_threads_bench_times_both_ways_and_puts_things_back(benchmarks_on_path, tmp_path):
    import threads_bench

    from digitnet.nn import parallel

    before = parallel.MIN_SHARE_WORK
    out = tmp_path / "threads.json"
    try:
        assert threads_bench.main(["--batches", "64", "--steps", "3", "--rounds", "1",
                                   "--json", str(out)]) == 0  # fmt: skip
    finally:
        parallel.MIN_SHARE_WORK = before
    (row,) = json.loads(out.read_text())
    assert row["batch"] == 64 and row["one_thread_ms"] > 0 and row["split_ms"] > 0
    assert row["share_work"] == 64 * (784 * 128 + 128 * 64 + 64 * 10) / 2


@pytest.mark.slow  # four training processes
def test_busy_machine_times_idle_and_loaded_runs(benchmarks_on_path, tmp_path, capsys):
    import busy_machine

    out = tmp_path / "busy.json"
    argv = ["--repeats", "1", "--load", "1", "--json", str(out), "--", "--limit", "300"]
    assert busy_machine.main(argv) == 0
    report = json.loads(out.read_text())["versions"]["this"]
    assert report["idle_median"] > 0 and report["loaded_median"] > 0
    assert "busy processes" in capsys.readouterr().out


def test_the_winograd_probe_computes_the_convolution(benchmarks_on_path):
    """F(2x2, 3x3) as the probe writes it gives the 3x3 convolution, bias included."""
    import numpy as np
    import winograd_probe

    from digitnet.nn.conv import Conv2D

    rng = np.random.default_rng(0)
    layer = Conv2D(3, 4, 3, padding=1)
    layer.build(rng, "float64")
    layer.params["b"][...] = rng.standard_normal(4)
    x = rng.standard_normal((2, 3, 6, 8))  # (N, C, H, W)
    x_pad = np.pad(x.transpose(1, 2, 3, 0), ((0, 0), (1, 1), (1, 1), (0, 0)))
    U = winograd_probe.kernel_transform(layer.params["W"])
    z = winograd_probe.winograd_forward(x_pad, U, layer.params["b"])  # (C_out, H, W, N)
    np.testing.assert_allclose(z.transpose(3, 0, 1, 2), layer.forward(x), rtol=1e-12, atol=1e-12)


def test_the_docs_tables_of_the_races_show_their_figures(benchmarks_on_path):
    """compare.py's and cnn_bench.py's Markdown tables (--write-docs): ratios to PyTorch, the
    accuracy as a percentage, digitnet's row in bold, a target not reached said so."""
    import cnn_bench
    import compare

    def result(seconds, accuracy, to_target=None):
        return {"median_epoch_seconds": seconds, "final_accuracy": accuracy,
                "seconds_to_0.975": to_target}  # fmt: skip

    training = {"digitnet": result(0.2, 0.9776, 1.43), "PyTorch Adam(fused)": result(0.4, 0.97)}
    hardware = {"gemm_seconds_per_epoch": 0.1, "flop_bound_seconds_per_epoch": 0.05,
                "gflop_per_epoch": 27.3, "gemm_peak_gflops": 456.0}  # fmt: skip
    mlp = compare.markdown_table(training, hardware, epochs=8)
    assert "| **digitnet** | **0.200** | **0.50x** | 97.76% | 1.43 |" in mlp
    assert "| PyTorch, `Adam(fused=True)` | 0.400 | 1.00x | 97.00% | not reached |" in mlp
    assert (
        "| FLOP bound (27.3 GFLOP at the measured 456 GFLOP/s peak) | 0.050 | 0.12x | | |" in mlp
    )
    report = {"training": {"digitnet": result(9.0, 0.99), "PyTorch": result(6.0, 0.985)},
              "gemm_seconds_per_epoch": 4.5, "flop_bound_seconds_per_epoch": 2.0,
              "gflop_per_epoch": 1051.0}  # fmt: skip
    cnn = cnn_bench.markdown_table(report, epochs=3, peak_gflops=490.0)
    assert "| **digitnet** | **9.00** | **1.50x** | 99.00% |" in cnn
    assert (
        "(1,051 GFLOP per epoch at the 490 GFLOP/s this machine's BLAS measured) | 2.00 | 0.33x"
        in cnn
    )


def test_the_preset_race_table_has_a_row_per_race_and_the_median_ratio(benchmarks_on_path):
    import preset_race

    def side(seconds, accuracy):
        runs = [{"seed": s, "seconds": t} for s, t in enumerate(seconds)]
        return {"runs": runs, "mean_accuracy": accuracy}

    races = [
        {"digitnet": side([24.6, 23.9], 0.9927), "PyTorch": side([19.6, 21.4], 0.9923),
         "ratio": 1.21},
        {"digitnet": side([24.2, 24.0], 0.9927), "PyTorch": side([20.8, 20.4], 0.9923),
         "ratio": 1.17},
    ]  # fmt: skip
    table = preset_race.markdown_table(races)
    assert "| run | digitnet: seconds, seeds 0 / 1 | PyTorch: seconds |" in table
    assert "| 2 | 24.2 / 24.0 | 20.8 / 20.4 | 1.17 | digitnet 99.27%, PyTorch 99.23% |" in table
    assert "takes 1.19 times PyTorch's process" in table


def test_a_benchmarks_write_docs_puts_its_table_in_the_page_with_its_stamp(
    benchmarks_on_path, monkeypatch, tmp_path
):
    import docs_tables

    monkeypatch.syspath_prepend(str(docs_tables.DOCS))  # where measured.py is, as before
    monkeypatch.setattr(docs_tables, "DOCS", tmp_path)  # the pages: these
    page = tmp_path / "speed.md"
    page.write_text("a\n<!-- measured: race -->\nold\n<!-- end measured -->\nb\n")
    docs_tables.write_docs("speed.md", "race", "| x |\n|---|\n| 1 |", "python benchmarks/r.py")
    text = page.read_text()
    assert "old" not in text and "| 1 |" in text and text.endswith("<!-- end measured -->\nb\n")
    assert "Measured by `python benchmarks/r.py` on " in text
