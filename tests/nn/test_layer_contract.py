"""The contract every registered layer type keeps, checked for each entry of LAYER_TYPES.

Each check takes a registry key and builds that type's example term (its spec_example) for the
input it gets in gradcheck.around: a new layer registered with one line is checked as the
others are (the end of this file shows it with a layer that exists only here).
"""

import json

import numpy as np
import pytest

import digitnet as dn
from digitnet.checks import integer
from digitnet.errors import DigitnetError
from digitnet.nn.gradcheck import (
    TOLERANCE,
    around,
    check_layer,
    numerical_gradient,
    relative_error,
)
from digitnet.nn.layer import Layer, Setting
from digitnet.nn.layers import LAYER_TYPES, layer_from_config
from digitnet.nn.network import Network
from digitnet.nn.spec import build_layers, example_of, parse_terms, spec_of, takes_images, terms


def example(layer_type: str) -> tuple[Layer, tuple[int, ...]]:
    """The type's example layer, not built, and one example's input shape: what it gets after
    the first layer of gradcheck.around's network."""
    spec, shape = around(layer_type)
    layers = build_layers(spec, shape)
    assert type(layers[1]) is LAYER_TYPES[layer_type]
    return layers[1], layers[0].output_shape(shape)


def built_example(layer_type: str) -> tuple[Layer, np.ndarray, np.random.Generator]:
    """The example layer built in float64 with its parameters nudged off their initial values
    (biases not 0, gamma not 1), a batch of 4 inputs of both signs, and the generator it was
    built with (dropout draws its masks from it)."""
    layer, shape = example(layer_type)
    generator, rng = np.random.default_rng(0), np.random.default_rng(1)
    layer.build(generator, "float64")
    for array in layer.params.values():
        array += rng.standard_normal(array.shape) * 0.1
    return layer, rng.standard_normal((4, *shape)), generator


# --- the contract, one check per function -------------------------------------------------------
def check_declaration(layer_type: str) -> None:
    """Its registry key is its type_name, and it declares a --layers term of its own."""
    cls = LAYER_TYPES[layer_type]
    assert cls.type_name == layer_type
    assert cls.spec_name is not None and terms()[cls.spec_name] is cls  # a name no other has
    assert not (cls.takes_images and cls.takes_vectors)
    settings = [*cls.spec_numbers, *cls.spec_options]
    assert all(isinstance(setting, Setting) for setting in settings)
    assert len({s.argument for s in settings}) == len(settings)
    assert parse_terms(example_of(cls))[0][0] == cls.spec_name
    assert takes_images(example_of(cls)) == cls.takes_images


def check_config_round_trip(layer_type: str) -> None:
    """layer_from_config(layer.config()) rebuilds it, also through JSON (as model files do): the
    same config, and the same outputs from the same parameters (a setting config() forgot
    would show)."""
    layer, shape = example(layer_type)
    config = layer.config()
    assert config["type"] == layer_type
    rebuilt = layer_from_config(json.loads(json.dumps(config)))
    assert type(rebuilt) is type(layer) and rebuilt.config() == config
    x = np.random.default_rng(1).standard_normal((4, *shape))
    for copy in (layer, rebuilt):
        copy.build(np.random.default_rng(0), "float64")
    for training in (False, True):
        np.testing.assert_array_equal(
            rebuilt.forward(x.copy(), training=training), layer.forward(x.copy(), training)
        )


def check_spec_round_trip(layer_type: str) -> None:
    """spec_of writes a term that --layers parses back into the same layer."""
    layer, shape = example(layer_type)
    term = spec_of(layer)
    assert term.split()[0] == LAYER_TYPES[layer_type].spec_name
    again = build_layers(term, shape)[0]
    assert again.config() == layer.config()
    assert spec_of(again) == term


def check_parameters(layer_type: str) -> None:
    """build makes params and grads with the same keys, shapes and dtype; decay names params."""
    for dtype in ("float32", "float64"):
        layer, _ = example(layer_type)
        layer.build(np.random.default_rng(0), dtype)
        assert list(layer.grads) == list(layer.params)
        for name, array in layer.params.items():
            assert array.dtype == dtype and layer.grads[name].shape == array.shape
            assert layer.grads[name].dtype == dtype
        assert set(layer.decay) <= set(layer.params)
        assert all(array.dtype == dtype for array in layer.state.values())


def check_output_shape(layer_type: str) -> None:
    """output_shape is the shape forward returns, in evaluation and in training."""
    layer, x, _ = built_example(layer_type)
    expected = (len(x), *layer.output_shape(x.shape[1:]))
    for training in (False, True):
        assert layer.forward(x.copy(), training=training).shape == expected


def check_backward_alone(layer_type: str) -> None:
    """dL/dx and every parameter's gradient against central differences in float64, with a
    random upstream gradient g (L = sum(forward(x) * g)), in training mode. The generator the
    layer was built with (dropout draws its masks from it) restarts before every forward."""
    layer, x, generator = built_example(layer_type)
    start = generator.bit_generator.state

    def forward() -> np.ndarray:
        generator.bit_generator.state = start
        return layer.forward(x, training=True)

    upstream = np.random.default_rng(2).standard_normal(forward().shape)
    dx = layer.backward(upstream.copy())
    analytic = {"x": dx.copy(), **{name: g.copy() for name, g in layer.grads.items()}}

    def loss() -> float:
        return float(np.sum(forward() * upstream))

    for name, array in {"x": x, **layer.params}.items():
        error = relative_error(analytic[name], numerical_gradient(loss, array))
        assert error < TOLERANCE, (name, error)


def check_in_a_network(layer_type: str) -> None:
    """Every gradient of gradcheck.around's network (after a dense or conv layer, before an
    in-place ReLU) against central differences in float64."""
    errors = check_layer(layer_type)
    assert max(errors.values()) < TOLERANCE, errors


def check_planning_flags(layer_type: str) -> None:
    """The flags Network._plan reads say what the layer does: keeps_output exactly when its
    backward reads the array forward returned; passes_input_through exactly when forward may
    return its input's memory; trains_differently exactly when training changes the output."""
    cls = LAYER_TYPES[layer_type]
    layer, x, _ = built_example(layer_type)
    output_shape = (len(x), *layer.output_shape(x.shape[1:]))
    upstream = np.random.default_rng(3).standard_normal(output_shape)

    def dx_after(overwrite: bool) -> np.ndarray:
        layer.build(np.random.default_rng(0), "float64")  # the same parameters and masks
        y = layer.forward(x.copy(), training=True)
        if overwrite:
            y[...] = -y - 1  # what a layer after it working in place may do to it
        return np.array(layer.backward(upstream.copy()))

    reads_output = not np.array_equal(dx_after(False), dx_after(True))
    assert reads_output == cls.keeps_output, "keeps_output should be " + str(reads_output)
    layer.build(np.random.default_rng(0), "float64")
    returns_input = any(
        np.shares_memory(layer.forward(x, training=training), x) for training in (False, True)
    )
    assert returns_input == cls.passes_input_through, "passes_input_through disagrees"
    layer.build(np.random.default_rng(0), "float64")
    evaluated = layer.forward(x.copy()).copy()
    trained = layer.forward(x.copy(), training=True)
    differs = not np.allclose(evaluated, trained, rtol=1e-12, atol=1e-12)
    assert differs == cls.trains_differently, "trains_differently should be " + str(differs)


def check_first_leaves_the_input_alone(layer_type: str) -> None:
    """First in a network, before a ReLU: neither pass overwrites the caller's array (the ReLU
    works in place only where the layer gave it an array of its own)."""
    _, shape = example(layer_type)
    term = example_of(LAYER_TYPES[layer_type])
    network = Network(build_layers(f"{term}, relu", shape), shape, dtype="float64")
    x = np.random.default_rng(4).standard_normal((4, *shape))
    original = x.copy()
    for training in (False, True):
        network.forward(x, training=training)
        np.testing.assert_array_equal(x, original)


CONTRACT = [
    check_declaration,
    check_config_round_trip,
    check_spec_round_trip,
    check_parameters,
    check_output_shape,
    check_backward_alone,
    check_in_a_network,
    check_planning_flags,
    check_first_leaves_the_input_alone,
]


@pytest.mark.parametrize("check", CONTRACT, ids=lambda check: check.__name__)
@pytest.mark.parametrize("layer_type", list(LAYER_TYPES))
def test_every_registered_layer_keeps_the_contract(layer_type, check):
    check(layer_type)


# --- the contract can fail ----------------------------------------------------------------------
class CentredSoftmax(Layer):
    """y = softmax(x) - 1/D over the D features; dL/dx = p (g - sum(g p)), with p = y + 1/D:
    a backward that reads its output at every position, so it must keep it.

    Shape: (N, D) -> the same.
    """

    type_name = "centred_softmax"
    spec_name = "centred_softmax"
    keeps_output = True

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self._y = e / e.sum(axis=1, keepdims=True) - 1 / x.shape[1]
        return self._y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        p = self._y + 1 / grad_out.shape[1]
        # dL/dx = p (g - sum_j g_j p_j)                             (N, D)
        return p * (grad_out - np.sum(grad_out * p, axis=1, keepdims=True))


def test_the_contract_catches_a_wrong_flag_and_a_wrong_gradient(monkeypatch):
    monkeypatch.setitem(LAYER_TYPES, "centred_softmax", CentredSoftmax)
    for check in CONTRACT:
        check("centred_softmax")  # as declared, it keeps the contract
    monkeypatch.setattr(CentredSoftmax, "keeps_output", False)  # the ReLU after it overwrites y
    for check in (check_in_a_network, check_planning_flags):
        with pytest.raises(AssertionError):
            check("centred_softmax")
    monkeypatch.setattr(CentredSoftmax, "keeps_output", True)
    monkeypatch.setattr(CentredSoftmax, "backward", lambda self, g: (self._y + 1 / g.shape[1]) * g)
    for check in (check_backward_alone, check_in_a_network):  # the sum term forgotten
        with pytest.raises(AssertionError):
            check("centred_softmax")


# --- a new layer: declared here, registered with one line --------------------------------------
class AvgPool2D(Layer):
    """Average pooling over k x k windows side by side (rows and columns left over are dropped):

        y[n, c, i, j] = (1 / k^2) sum_{ki, kj < k} x[n, c, k i + ki, k j + kj]
        dL/dx[n, c, k i + ki, k j + kj] = g[n, c, i, j] / k^2   (0 for the pixels left over)

    Shape: x (N, C, H, W) -> y (N, C, H // k, W // k).
    """

    type_name = "avgpool2d"
    spec_name = "avgpool"  # "avgpool K": K x K windows
    spec_numbers = (Setting("K", "kernel_size"),)
    spec_example = "avgpool 2"
    takes_images = True

    def __init__(self, kernel_size: int = 2) -> None:
        super().__init__()
        self.kernel_size = integer("avgpool2d: kernel_size", kernel_size)

    def config(self) -> dict:
        return {"type": self.type_name, "kernel_size": self.kernel_size}

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        k = self.kernel_size
        if len(input_shape) != 3 or min(input_shape[1:]) < k:
            raise DigitnetError(
                f"avgpool2d needs images (C, H, W) of at least {k}x{k}, got {tuple(input_shape)}"
            )
        C, H, W = input_shape
        return (C, H // k, W // k)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        N, C, H, W = x.shape
        k = self.kernel_size
        self._x_shape = x.shape
        windows = x[:, :, : H - H % k, : W - W % k].reshape(N, C, H // k, k, W // k, k)
        return windows.mean(axis=(3, 5))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        k = self.kernel_size
        dx = np.zeros(self._x_shape, grad_out.dtype)
        H, W = grad_out.shape[2] * k, grad_out.shape[3] * k
        # dL/dx = g / k^2 on every pixel of its window              (N, C, H, W)
        dx[:, :, :H, :W] = np.repeat(np.repeat(grad_out / (k * k), k, axis=2), k, axis=3)
        return dx


@pytest.fixture
def with_avgpool(monkeypatch):
    """The one line that adds a layer: its class in the registry (here only for one test)."""
    monkeypatch.setitem(LAYER_TYPES, "avgpool2d", AvgPool2D)


def test_a_new_layer_is_unknown_until_registered():
    with pytest.raises(DigitnetError, match="unknown term 'avgpool 2'"):
        build_layers("avgpool 2", (1, 8, 8))


def test_a_registered_new_layer_is_parsed_written_and_saved(with_avgpool, tmp_path):
    spec = "conv 3 3 pad 1, relu, avgpool 2, dense 8, relu"
    assert takes_images(spec)
    layers = build_layers(spec, (1, 8, 8))
    assert [spec_of(layer) for layer in layers] == [
        "conv 3 3 pad 1", "relu", "avgpool 2", "flatten", "dense 8", "relu", "dense 10"
    ]  # fmt: skip
    with pytest.raises(DigitnetError, match="bad term 'avgpool'; write it as 'avgpool K'"):
        build_layers("avgpool", (1, 8, 8))
    rng = np.random.default_rng(0)
    X, y = rng.random((32, 1, 8, 8)).astype(np.float32), rng.integers(0, 10, 32)
    model = dn.Sequential(layers, input_shape=(1, 8, 8), seed=0)
    model.fit(X, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "avgpool.npz")
    loaded = dn.load_model(tmp_path / "avgpool.npz")
    assert loaded.layers[2].config() == {"type": "avgpool2d", "kernel_size": 2}
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("check", CONTRACT, ids=lambda check: check.__name__)
def test_a_registered_new_layer_keeps_the_contract(with_avgpool, check):
    check("avgpool2d")


def test_the_new_layer_pools_as_worked_out_by_hand():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    layer = AvgPool2D(2)
    np.testing.assert_array_equal(layer.forward(x, training=True), [[[[2.5, 4.5], [10.5, 12.5]]]])
    dx = layer.backward(np.array([[[[4.0, 8.0], [0.0, -4.0]]]]))
    np.testing.assert_array_equal(dx[0, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [0, 0, -1, -1],
                                             [0, 0, -1, -1]])  # fmt: skip
