"""The per-layer statistics of a run: histograms of activations and gradients taken every few
steps with fixed bins, and the update-to-weight ratio measured on the next step."""

from __future__ import annotations

import numpy as np
from conftest import make_blobs

import digitnet as dn
from digitnet.training.histograms import ACTIVATION_BINS, GRADIENT_BINS, LayerHistograms


def run(model, every=5, epochs=2, optimizer=None):
    images, labels = make_blobs(160, seed=2)
    record = LayerHistograms(every=every)
    optimizer = optimizer or dn.SGD(lr=0.1)
    model.fit(images, labels, epochs=epochs, batch_size=16, optimizer=optimizer, verbose=0,
              lr_schedule="constant", callbacks=[record], threads=1)  # fmt: skip
    return record


def test_histograms_are_taken_every_few_steps_with_fixed_bins():
    record = run(dn.MLP([784, 12, 8, 10], seed=0))
    assert record.steps == [1, 6, 11, 16]  # 2 epochs of 10 steps, every 5th from the first
    assert list(record.activations) == ["1 relu", "3 relu"]
    assert list(record.gradients) == ["0 dense", "2 dense", "4 dense"]
    first = record.activations["1 relu"][0]
    assert len(first) == len(ACTIVATION_BINS) - 1 and first.sum() == 16 * 12  # every output
    assert record.gradients["2 dense"][0].sum() == 12 * 8  # every entry of W
    assert len(record.gradients["0 dense"][0]) == len(GRADIENT_BINS) - 1


def test_a_dead_layer_puts_every_output_in_the_bin_of_zero():
    model = dn.MLP([784, 12, 8, 10], seed=0)
    model.layers[2].params["b"][:] = -100
    counts = run(model).activations["3 relu"][-1]
    zero_bin = np.searchsorted(ACTIVATION_BINS, 0.0, side="right") - 1
    assert counts[zero_bin] == counts.sum()


def test_the_update_ratio_is_the_step_s_size_against_the_weight_s():
    """With plain SGD, the step after a sample moves W by lr * g: the ratio is lr |g| / |W|."""
    model = dn.MLP([784, 12, 10], seed=0)
    ratios, moved = [], []

    class Spy(dn.Callback):
        def on_batch_end(self, batch, logs):
            W = model.layers[0].params["W"]
            if hasattr(self, "before"):
                moved.append(np.linalg.norm(W - self.before) / np.linalg.norm(self.before))
            self.before = W.copy()

    images, labels = make_blobs(64, seed=3)
    record = LayerHistograms(every=1)
    model.fit(images, labels, epochs=1, batch_size=16, optimizer=dn.SGD(lr=0.1), verbose=0,
              lr_schedule="constant", callbacks=[record, Spy()], threads=1)  # fmt: skip
    ratios = record.ratios["0 dense"]
    assert record.ratio_steps == [2, 3, 4] and len(ratios) == 3
    np.testing.assert_allclose(ratios, moved, rtol=1e-5)
    assert all(0 < r < 1 for r in ratios)
