"""The baseline: the 784-128-64-10 network in plain NumPy, written the obvious way.

This is what a user writes after a tutorial: the whole training set converted to float32 once,
a one-hot label matrix, a fresh array for every intermediate result, Adam with temporaries. It
draws the initial weights and the shuffling order from the same random stream as digitnet
(`default_rng(seed)`: He-normal hidden layers, Glorot-uniform output layer, then one permutation
per epoch), so with the same seed both train the same network on the same batches.

The code is digitnet's plain reference, src/digitnet/nn/reference.py, where a learner finds it
first and the tests check digitnet against it; this module only gives compare.py its names:
init(seed) -> (params, adam, rng), train_epoch(params, adam, rng, X, y), predict(params, x).
"""

from __future__ import annotations

from digitnet.nn.reference import forward, init, predict, train_epoch

__all__ = ["init", "forward", "train_epoch", "predict"]
