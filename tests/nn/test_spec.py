"""--layers specs: parsing, the layers built (sizes, flatten, output layer, init), and errors."""

import pytest

import digitnet as dn
from digitnet.nn.layers import LAYER_TYPES
from digitnet.nn.spec import build_layers, spec_of, takes_images, terms, usage

LENET = "conv 16 5 pad 2, relu, maxpool 2, conv 32 5 pad 2, relu, maxpool 2, dense 128, relu"


def test_lenet_spec_builds_the_issue_network():
    layers = build_layers(LENET, (1, 28, 28))
    assert [spec_of(layer) for layer in layers] == [
        "conv 16 5 pad 2", "relu", "maxpool 2", "conv 32 5 pad 2", "relu", "maxpool 2",
        "flatten", "dense 128", "relu", "dense 10",
    ]  # fmt: skip
    conv2, dense1, out = layers[3], layers[7], layers[9]
    assert (conv2.in_channels, conv2.out_channels, conv2.kernel_size) == (16, 32, 5)
    assert (dense1.in_features, dense1.out_features) == (32 * 7 * 7, 128)
    assert (out.in_features, out.out_features) == (128, 10)


def test_every_term_and_option():
    spec = (
        "conv 8 3 stride 2 pad 1, batchnorm, leaky_relu, maxpool 3 stride 2, dropout 0.25, "
        "conv 4 1, sigmoid, global_avgpool, dense 6, batchnorm, tanh, flatten"
    )
    layers = build_layers(spec, (1, 28, 28), n_classes=5)
    config = [layer.config() for layer in layers]
    assert config[0] == {
        "type": "conv2d", "in_channels": 1, "out_channels": 8, "kernel_size": 3, "stride": 2,
        "padding": 1,
    }  # fmt: skip
    assert config[1] == {"type": "batchnorm", "num_features": 8, "eps": 1e-5, "momentum": 0.1}
    assert config[3] == {"type": "maxpool2d", "kernel_size": 3, "stride": 2}
    assert config[4] == {"type": "dropout", "rate": 0.25}
    assert [c["type"] for c in config[5:]] == [
        "conv2d", "sigmoid", "global_avgpool", "dense", "batchnorm", "tanh", "flatten", "dense",
    ]  # fmt: skip
    assert config[-1] == {"type": "dense", "in_features": 6, "out_features": 5}
    assert dn.Sequential(layers, input_shape=(1, 28, 28)).output_shape == (5,)


def test_init_follows_the_next_activation():
    layers = build_layers("conv 4 3, batchnorm, relu, conv 4 3, tanh, dense 8, dense 7", (1, 9, 9))
    inits = [layer.initializer.__name__ for layer in layers if hasattr(layer, "initializer")]
    # before relu: He; before tanh: Glorot; dense 8 is followed by a dense: Glorot; output: Glorot
    assert inits == [
        "he_normal",
        "glorot_uniform",
        "glorot_uniform",
        "glorot_uniform",
        "glorot_uniform",
    ]


def test_dense_only_spec_is_the_mlp():
    assert not takes_images("dense 128, relu, dense 64, relu")
    assert takes_images("dropout 0.1, conv 4 3")
    layers = build_layers("dense 128, relu, dense 64, relu", (784,))
    model = dn.Sequential(layers, seed=0)
    reference = dn.MLP([784, 128, 64, 10], seed=0)
    assert all(
        (a == b).all()
        for a, b in zip(model.parameters().values(), reference.parameters().values())
    )


@pytest.mark.parametrize(
    "spec, message",
    [
        ("conv 16", "bad term 'conv 16'; write it as 'conv OUT K [stride S] [pad P]'"),
        ("conv 16 5 padding 2", "bad term 'conv 16 5 padding 2'"),
        ("conv 16 5 pad", "bad term 'conv 16 5 pad'"),
        ("conv 16 5 pad 2 pad 2", "bad term"),
        ("maxpool two", "bad term 'maxpool two'; write it as 'maxpool K [stride S]'"),
        ("dense 12.5", "dense 12.5 needs whole numbers"),
        ("dense 0", "out_features must be an integer >= 1, got 0"),
        ("dropout 1.5", "dropout rate must be in"),
        ("conv 4 3, , relu", "an empty term"),
        ("convolution 4 3", "unknown term 'convolution 4 3'"),
        ("relu 3", "bad term 'relu 3'; write it as 'relu'"),
        ("dense nan", "dense nan needs whole numbers"),
        ("dense inf", "dense inf needs whole numbers"),
        ("conv 1e400 3", "needs whole numbers"),
        ("conv 4 30", r"'conv 4 30' does not fit: conv2d kernel 30 \(padding 0\) is larger"),
        ("dense 10, conv 4 3", "'conv 4 3' does not fit"),
    ],
)
def test_malformed_specs_get_one_line_naming_the_term(spec, message):
    with pytest.raises(dn.DigitnetError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_layers(spec, (1, 28, 28))


def test_option_names_are_case_insensitive_as_term_names():
    layers = build_layers("CONV 4 3 PAD 1, ReLU", (1, 8, 8))
    assert spec_of(layers[0]) == "conv 4 3 pad 1"


def test_the_terms_are_the_registry_s_in_its_order():
    assert list(terms()) == [cls.spec_name for cls in LAYER_TYPES.values()]
    assert {"dense", "relu", "conv", "maxpool", "dropout"} <= set(terms())  # the reader's first
    known = ", ".join(terms())
    with pytest.raises(
        dn.DigitnetError, match=f"^--layers: unknown term 'no_such_layer 2'; known: {known}$"
    ):
        build_layers("no_such_layer 2", (1, 28, 28))


def test_the_help_of_layers_lists_every_term_as_its_class_declares_it(capsys):
    """`digitnet train --help` shows the terms (docs/cli.md's table of them is generated from
    the same classes: test_generated_docs)."""
    from digitnet.app.cli import main

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for cls in terms().values():
        assert " ".join(usage(cls).split()) in help_text, usage(cls)


def test_an_option_must_be_whole_too():
    with pytest.raises(
        dn.DigitnetError, match=r"^--layers: conv 4 3 needs whole numbers, got 1.5$"
    ):
        build_layers("conv 4 3 stride 1.5", (1, 28, 28))


@pytest.mark.parametrize(
    "term, written",
    [
        ("conv 4 3 stride 1 pad 0", "conv 4 3"),
        ("conv 4 3 stride 2", "conv 4 3 stride 2"),
        ("conv 4 3 pad 1 stride 2", "conv 4 3 stride 2 pad 1"),
        ("maxpool 3 stride 3", "maxpool 3"),
        ("maxpool 3 stride 2", "maxpool 3 stride 2"),
        ("dropout 0.25", "dropout 0.25"),
    ],
)
def test_spec_of_writes_an_option_only_where_it_changes_the_layer(term, written):
    assert spec_of(build_layers(term, (1, 28, 28))[0]) == written
