"""Smoke tests for the benchmark scripts: tiny sizes, asserting only that they run and report."""

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def benchmarks_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))


def test_compare_quick_runs_and_reports(benchmarks_on_path, tmp_path, capsys):
    import compare

    out = tmp_path / "bench.json"
    assert compare.main(["--quick", "--only", "digitnet,plain", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    training = report["training"]
    assert set(training) == {"digitnet", "plain NumPy"}
    for result in training.values():
        assert result["median_epoch_seconds"] > 0 and 0 <= result["final_accuracy"] <= 1
    assert report["hardware"]["gemm_peak_gflops"] > 0
    assert report["inference"]["digitnet"]["single_image_microseconds"] > 0
    assert "s/epoch" in capsys.readouterr().out


def test_regression_check_runs(benchmarks_on_path, capsys):
    import check_regression

    code = check_regression.main(["--epochs", "1", "--repeats", "1", "--limit", "3000"])
    out = capsys.readouterr().out
    assert code in (0, 1) and ("OK:" in out or "REGRESSION:" in out)


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
    assert sys.modules["plain_numpy"] is plain_numpy
