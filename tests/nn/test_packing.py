"""The packed parameter block: the groups an optimizer steps, with their weight decay flags."""

import numpy as np

import digitnet as dn


def model_with_biases_at_one():
    model = dn.Sequential([dn.Dense(3, 2), dn.ReLU(), dn.Dense(2, 2)], seed=0)
    model.flat_params[model.block.n_decay :] = 1.0  # the biases, after the decayed weights
    return model


def test_one_group_decays_everything_and_two_groups_spare_the_biases():
    # The gradients are zero: only the decay moves the parameters.
    one = model_with_biases_at_one()
    params, grads, decay = one.block.groups(split_decay=False)
    assert decay == [True] and params[0] is one.flat_params and grads[0] is one.flat_grads
    dn.SGD(lr=0.1, weight_decay=0.5).step(params, grads, decay)  # p -= lr (g + wd p)
    np.testing.assert_allclose(one.parameters()["0.b"], [0.95, 0.95])

    two = model_with_biases_at_one()
    weights = two.parameters()["0.W"].copy()
    params, grads, decay = two.block.groups(split_decay=True)
    assert decay == [True, False] and [p.size for p in params] == [3 * 2 + 2 * 2, 2 + 2]
    dn.SGD(lr=0.1, weight_decay=0.5).step(params, grads, decay)
    np.testing.assert_array_equal(two.parameters()["0.b"], [1.0, 1.0])
    np.testing.assert_allclose(two.parameters()["0.W"], weights * 0.95, rtol=1e-6)
