"""The layer protocol and the Network that stacks layers: configs, shapes, in-place decisions,
parameter names and packing, weight decay groups, initialisation from shapes."""

import inspect

import numpy as np
import pytest

import digitnet as dn
from digitnet.errors import DigitnetError
from digitnet.nn.init import fans, glorot_uniform, he_normal
from digitnet.nn.inputs import as_input
from digitnet.nn.layers import LAYER_TYPES, layer_from_config
from digitnet.nn.network import Network

EXAMPLES = [
    dn.Dense(784, 128),
    dn.ReLU(),
    dn.LeakyReLU(0.2),
    dn.Sigmoid(),
    dn.Tanh(),
    dn.Dropout(0.1),
]


def test_layer_configs_are_the_documented_ones():
    assert [layer.config() for layer in EXAMPLES] == [
        {"type": "dense", "in_features": 784, "out_features": 128},
        {"type": "relu"},
        {"type": "leaky_relu", "negative_slope": 0.2},
        {"type": "sigmoid"},
        {"type": "tanh"},
        {"type": "dropout", "rate": 0.1},
    ]
    # each rebuilds from its config, settings other than the defaults included (every
    # registered type does so in tests/nn/test_layer_contract.py)
    for layer in EXAMPLES:
        config = layer.config()
        assert config["type"] in LAYER_TYPES
        rebuilt = layer_from_config(config)
        assert type(rebuilt) is type(layer) and rebuilt.config() == config


def test_output_shapes_and_a_stack_that_does_not_fit():
    assert dn.Dense(784, 128).output_shape((784,)) == (128,)
    assert dn.ReLU().output_shape((1, 28, 28)) == (1, 28, 28)
    with pytest.raises(DigitnetError, match=r"layer 2 \(Dense\(in_features=64.*\(32,\)"):
        Network([dn.Dense(784, 32), dn.ReLU(), dn.Dense(64, 10)])
    with pytest.raises(DigitnetError, match="unknown layer type 'conv9'"):
        layer_from_config({"type": "conv9"})


def test_parameters_have_stable_names_and_are_views_of_one_block():
    model = dn.Sequential([dn.Dense(6, 5), dn.Tanh(), dn.Dense(5, 3)], seed=0)
    params, grads = model.parameters(), model.gradients()
    assert list(params) == ["0.W", "0.b", "2.W", "2.b"] and list(grads) == list(params)
    assert model.flat_params.size == 6 * 5 + 5 + 5 * 3 + 3
    for name, array in params.items():
        assert np.shares_memory(array, model.flat_params), name
        assert np.shares_memory(grads[name], model.flat_grads), name
    # Weights first, then biases: weight decay is the block's first n_decay entries.
    assert model.block.n_decay == 6 * 5 + 5 * 3
    np.testing.assert_array_equal(model.flat_params[: 6 * 5], params["0.W"].ravel())
    assert model.block.names == ["0.W", "2.W", "0.b", "2.b"]


def test_weight_decay_skips_the_biases_by_default():
    rng = np.random.default_rng(0)
    X, y = rng.random((16, 6)).astype(np.float32), rng.integers(0, 3, 16)
    model = dn.Sequential([dn.Dense(6, 5), dn.ReLU(), dn.Dense(5, 3)], seed=0)
    for b in (model.parameters()["0.b"], model.parameters()["2.b"]):
        b[...] = 1.0
    weights = {k: v.copy() for k, v in model.parameters().items()}
    # lr so small that the gradient moves nothing: only the decay shows
    model.fit(X, y, epochs=1, batch_size=16, optimizer=dn.Adam(lr=1e-3, weight_decay=100.0),
              verbose=0)  # fmt: skip
    after = model.parameters()
    assert np.all(np.abs(after["0.W"]) < np.abs(weights["0.W"]) + 1e-3)
    np.testing.assert_allclose(np.abs(after["0.W"]).sum() / np.abs(weights["0.W"]).sum(), 0.9,
                               rtol=0.02)  # fmt: skip
    np.testing.assert_allclose(after["0.b"], 1.0, atol=2e-3)  # moved by one Adam step at most


def test_relu_works_in_place_only_where_nothing_else_reads_its_input():
    model = Network(
        [dn.ReLU(), dn.Dense(4, 4), dn.ReLU(), dn.Sigmoid(), dn.Dense(4, 4), dn.ReLU(),
         dn.Dense(4, 4), dn.Dropout(0.5), dn.ReLU(), dn.Dense(4, 2)],
        input_shape=(4,),
    )  # fmt: skip
    inplace = [layer.inplace for layer in model.layers if isinstance(layer, dn.ReLU)]
    # on the data: no; after a dense layer: yes; the dropout passes the dense output through
    assert inplace == [False, True, True, True]
    assert model.layers[3].inplace is False  # sigmoid after ReLU: ReLU keeps its output
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    original = x.copy()
    model.predict(x)
    np.testing.assert_array_equal(x, original)  # the caller's input is never overwritten


def test_the_first_layer_with_weights_passes_no_gradient_to_the_data():
    model = dn.MLP([6, 4, 3], input_dropout=0.2)
    needs = [layer.needs_input_grad for layer in model.layers]
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dropout", "Dense", "ReLU", "Dense"
    ]  # fmt: skip
    assert needs == [False, False, True, True]  # backward stops at the first dense layer


def test_set_dropout_replaces_dropout_layers_and_renames_the_parameters():
    model = dn.MLP([6, 5, 4, 3], seed=0)
    before = model.flat_params.copy()
    model.set_dropout(0.5, 0.25)
    types = [layer.config()["type"] for layer in model.layers]
    assert types == ["dropout", "dense", "relu", "dropout", "dense", "relu", "dropout", "dense"]
    assert list(model.parameters()) == ["1.W", "1.b", "4.W", "4.b", "7.W", "7.b"]
    model.set_dropout(0.0)
    assert list(model.parameters()) == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    np.testing.assert_array_equal(model.flat_params, before)


def test_fans_of_dense_weights_and_convolution_kernels():
    assert fans((784, 128)) == (784, 128)
    assert fans((16, 3, 5, 5)) == (3 * 25, 16 * 25)  # (C_out, C_in, kh, kw), as PyTorch
    rng = np.random.default_rng(0)
    kernel = he_normal((64, 32, 3, 3), rng)
    assert kernel.shape == (64, 32, 3, 3) and kernel.dtype == np.float32
    assert kernel.std() == pytest.approx(np.sqrt(2 / (32 * 9)), rel=0.02)
    limit = np.sqrt(6 / (32 * 9 + 64 * 9))
    uniform = glorot_uniform((64, 32, 3, 3), rng)
    assert uniform.max() <= limit and uniform.min() >= -limit and uniform.max() > 0.99 * limit


def test_a_sequential_learns_and_checks_its_input_shape():
    rng = np.random.default_rng(1)
    X, y = rng.random((64, 12)).astype(np.float32), rng.integers(0, 4, 64)
    model = dn.Sequential([dn.Dense(12, 64), dn.ReLU(), dn.Dense(64, 4)], seed=1)
    model.fit(X, y, epochs=150, batch_size=64, optimizer=dn.Adam(0.02), verbose=0)
    assert model.score(X, y) == 1.0
    with pytest.raises(
        DigitnetError, match=r"expected input of shape \(n, 12\), got \(64, 3, 4\)"
    ):
        model.predict(X.reshape(64, 3, 4))


def test_a_network_prints_its_layers():
    model = dn.Sequential([dn.Dense(6, 5), dn.LeakyReLU(0.2), dn.Dense(5, 3)])
    assert repr(model) == (
        "Sequential([\n"
        "  Dense(in_features=6, out_features=5),\n"
        "  LeakyReLU(negative_slope=0.2),\n"
        "  Dense(in_features=5, out_features=3)\n"
        "], input_shape=(6,))"
    )


def test_inputs_are_scaled_from_uint8_and_floats_in_the_dtype_are_not_copied():
    pixels = np.array([[0, 51, 255]], dtype=np.uint8)
    scaled = as_input(pixels, "float32")
    assert scaled.dtype == np.float32
    np.testing.assert_array_equal(scaled, np.array([[0, 51, 255]], np.float32) / 255)
    buffer = np.empty((1, 3), np.float32)  # a batch buffer reused by the training loop
    assert as_input(pixels, "float32", out=buffer) is buffer
    np.testing.assert_array_equal(buffer, scaled)
    floats = np.array([[0.0, 0.5]], dtype=np.float32)
    assert as_input(floats, "float32") is floats  # already network input: no copy
    assert as_input(floats, "float64").dtype == np.float64
    out = np.empty((1, 2), np.float64)
    assert as_input(floats, "float64", out=out) is out
    np.testing.assert_array_equal(out, [[0.0, 0.5]])


def test_the_input_shape_given_is_checked_and_kept():
    with pytest.raises(
        DigitnetError, match=r"^input_shape must be positive integers, got \(0,\)$"
    ):
        Network([dn.Dense(4, 2)], input_shape=(0,))
    assert Network([dn.Dense(4, 2)], input_shape=[4]).input_shape == (4,)
    softmax_only = Network([dn.Tanh()], input_shape=3)  # no dense layer: the shape is needed
    assert softmax_only.input_shape == (3,) and softmax_only.n_classes == 3
    message = "^give input_shape: no dense layer says how many inputs it takes$"
    with pytest.raises(DigitnetError, match=message):
        Network([dn.Tanh()])


@pytest.mark.parametrize("layer_class", [dn.Layer, *LAYER_TYPES.values()])
def test_forward_evaluates_unless_told_it_is_training(layer_class):
    """The protocol every layer follows: forward(x, training=False)."""
    assert inspect.signature(layer_class.forward).parameters["training"].default is False


def test_a_layer_config_that_is_not_a_dict_is_named():
    message = f"^unknown layer type 'dense'; digitnet knows {', '.join(LAYER_TYPES)}$"
    with pytest.raises(DigitnetError, match=message):
        layer_from_config("dense")


def test_the_default_seed_is_zero():
    layers = lambda: [dn.Dense(4, 3), dn.ReLU(), dn.Dense(3, 2)]  # noqa: E731
    default, zero, one = Network(layers()), Network(layers(), seed=0), Network(layers(), seed=1)
    assert default.seed == 0
    np.testing.assert_array_equal(default.flat_params, zero.flat_params)
    assert not np.array_equal(default.flat_params, one.flat_params)


def test_predictions_are_in_the_network_dtype_in_one_chunk_or_many():
    model = dn.MLP([4, 5, 3], seed=0)
    pixels = np.arange(20, dtype=np.uint8).reshape(5, 4) * 12
    floats = pixels.astype(np.float64) / 255
    whole = model.predict_logits(pixels)
    assert whole.dtype == np.float32 and model.predict_logits(floats).dtype == np.float32
    for X in (pixels, floats):
        chunked = model.predict_logits(X, batch_size=2)  # rows 0-1, 2-3, 4
        assert chunked.dtype == np.float32
        np.testing.assert_allclose(chunked, whole, rtol=1e-6)
    np.testing.assert_allclose(model.predict_logits(pixels, batch_size=5), whole, rtol=1e-6)


def test_evaluate_on_one_example_is_its_own_loss():
    model = dn.MLP([4, 3], seed=0, dtype="float64")
    x = np.array([[0.1, 0.2, 0.3, 0.4]])
    probs = model.predict_proba(x)[0]
    result = model.evaluate(x, np.array([2]))
    assert result["loss"] == pytest.approx(-np.log(probs[2]), rel=1e-12)
    assert result["accuracy"] == float(probs.argmax() == 2)


class Flatten(dn.Layer):
    """A layer of the user's own: images (C, H, W) or matrices to vectors."""

    type_name = "flatten"

    def forward(self, x, training=False):
        self._shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, grad_out):
        return grad_out.reshape(self._shape)

    def output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)


def test_input_of_several_axes_is_checked_against_the_whole_shape():
    model = Network([Flatten(), dn.Dense(6, 2)], input_shape=(2, 3))
    assert model.predict(np.zeros((4, 2, 3), np.float32)).shape == (4,)
    assert model.predict(np.zeros((4, 6), np.float32)).shape == (4,)  # flattened is fine too
    with pytest.raises(
        DigitnetError, match=r"^expected input of shape \(n, 2, 3\), got \(4, 5\)$"
    ):
        model.predict(np.zeros((4, 5), np.float32))
    with pytest.raises(DigitnetError, match=r"^the last layer must output class scores \(C,\), "
                                            r"not \(2, 3\)$"):  # fmt: skip
        Network([dn.ReLU()], input_shape=(2, 3))


@pytest.mark.parametrize(
    "layers, got",
    [([], r"\[\]"), ([dn.Dense(4, 2), "relu"], r"\[Dense\(.*\), 'relu'\]")],
)
def test_a_network_needs_layers(layers, got):
    with pytest.raises(DigitnetError, match=f"^expected a non-empty list of layers, got {got}$"):
        Network(layers, input_shape=(4,))


def test_labels_are_checked_before_evaluating():
    model = dn.MLP([4, 3], seed=0)
    X = np.zeros((5, 4), np.float32)
    with pytest.raises(DigitnetError, match=r"^expected 5 integer labels, got float64 \(5,\)$"):
        model.evaluate(X, np.zeros(5))
    with pytest.raises(DigitnetError, match=r"^expected 5 integer labels, got int64 \(4,\)$"):
        model.evaluate(X, np.zeros(4, np.int64))
    with pytest.raises(DigitnetError, match=r"^labels must be in 0..2, found 0..3$"):
        model.evaluate(X, np.array([0, 1, 2, 3, 0]))


def test_in_place_decisions_at_the_ends_of_the_stack():
    model = Network(
        [dn.Dense(4, 4), dn.ReLU(), dn.Dense(4, 4), dn.Sigmoid(), dn.Dense(4, 4), dn.Dropout(0.5),
         dn.ReLU(), dn.Dense(4, 2)]
    )  # fmt: skip
    # the first dense layer's output is fresh; the dropout passes on the dense output before it
    assert [model.layers[i].inplace for i in (1, 6)] == [True, True]
    on_the_data = Network([dn.Dropout(0.5), dn.ReLU(), dn.Dense(4, 2)], input_shape=(4,))
    assert on_the_data.layers[1].inplace is False  # the dropout passes on the caller's array
    x = np.array([[-1.0, 2.0, -3.0, 4.0]], np.float32)
    on_the_data.predict(x)
    np.testing.assert_array_equal(x, [[-1.0, 2.0, -3.0, 4.0]])


def test_set_dropout_without_arguments_removes_every_dropout():
    model = dn.MLP([6, 5, 3], dropout=0.5, input_dropout=0.2)
    model.set_dropout()
    assert [layer.type_name for layer in model.layers] == ["dense", "relu", "dense"]


def test_set_dropout_on_a_network_without_weights_only_drops_the_input():
    model = Network([dn.Tanh()], input_shape=(3,))
    model.set_dropout(0.5, 0.25)
    assert [layer.config() for layer in model.layers] == [
        {"type": "dropout", "rate": 0.25}, {"type": "tanh"}
    ]  # fmt: skip


def test_a_copy_shares_no_array_with_its_network():
    model = dn.MLP(seed=0)
    twin = model.copy()
    assert np.array_equal(twin.flat_params, model.flat_params)
    model.flat_params[...] = 0
    assert twin.layers[0].params["W"].any()  # its layers still view its own block
    twin.flat_params[...] = 1
    assert (twin.layers[0].params["W"] == 1).all()


def test_a_copy_keeps_the_state_and_may_change_the_dtype():
    model = dn.Sequential([dn.Dense(4, 3), dn.BatchNorm(3), dn.ReLU(), dn.Dense(3, 2)], seed=1)
    model.layers[1].state["running_mean"][...] = [1.0, 2.0, 3.0]
    twin = model.copy("float64")
    assert twin.dtype == "float64" and twin.flat_params.dtype == np.float64
    np.testing.assert_allclose(twin.flat_params, model.flat_params)
    np.testing.assert_array_equal(twin.layers[1].state["running_mean"], [1.0, 2.0, 3.0])
    model.layers[1].state["running_mean"][...] = 0
    assert twin.layers[1].state["running_mean"].any()
