"""How much arithmetic a network does (nn/work.py, Layer.multiply_adds), counted by hand."""

import pytest

import digitnet as dn
from digitnet.errors import DigitnetError
from digitnet.nn.layers import LAYER_TYPES
from digitnet.nn.spec import build_layers
from digitnet.nn.work import multiply_adds, training_flops


def test_dense_and_conv_multiply_adds_by_hand():
    assert dn.Dense(784, 128).multiply_adds((784,)) == 784 * 128
    # 16 maps of 28x28 (pad 2 keeps the size), each value a sum over 1 x 5 x 5 products
    assert dn.Conv2D(1, 16, 5, padding=2).multiply_adds((1, 28, 28)) == 16 * 28 * 28 * 25
    # stride 2 without padding: (14 - 3) // 2 + 1 = 6 positions a side, 8 x 3 x 3 products each
    assert dn.Conv2D(8, 4, 3, stride=2).multiply_adds((8, 14, 14)) == 4 * 6 * 6 * 8 * 9
    with pytest.raises(DigitnetError):
        dn.Dense(784, 10).multiply_adds((100,))


@pytest.mark.parametrize("layer_type", list(LAYER_TYPES))
def test_only_layers_with_weights_count_multiply_adds(layer_type):
    """Every registered layer, in the small network gradcheck checks it in (nn.gradcheck.around):
    a positive count for the dense and conv layers, 0 for the rest."""
    from digitnet.nn.gradcheck import around

    spec, shape = around(layer_type)
    model = dn.Sequential(build_layers(spec, shape), input_shape=shape)
    for layer, count in zip(model.layers, multiply_adds(model)):
        assert (count > 0) == ("W" in layer.params), (layer, count)


def test_lenet_training_flops_by_hand():
    """Forward, dW and dx for every layer with weights but the first (nothing needs the gradient
    of the data): 2 FLOP a multiply-add."""
    spec = "conv 16 5 pad 2, relu, maxpool 2, conv 32 5 pad 2, relu, maxpool 2, dense 128, relu"
    model = dn.Sequential(build_layers(spec, (1, 28, 28)), input_shape=(1, 28, 28))
    conv1, conv2 = 16 * 28 * 28 * 25, 32 * 14 * 14 * 16 * 25
    dense1, dense2 = 32 * 7 * 7 * 128, 128 * 10
    assert sum(multiply_adds(model)) == conv1 + conv2 + dense1 + dense2
    expected = 2 * (2 * conv1 + 3 * (conv2 + dense1 + dense2))
    assert training_flops(model, n=1) == expected == 17_519_104
    assert training_flops(model, n=100) == 100 * expected
