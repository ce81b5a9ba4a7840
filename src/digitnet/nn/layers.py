"""The registry of layer types: from a config()'s "type" to the class that rebuilds it.

Each class declares its model-file name and its --layers term; nn/spec.py, the model files,
gradcheck and the tests read them from here. Adding a layer means writing its class and adding
one line to LAYER_TYPES; the docs' two tables of layers are generated from here (CONTRIBUTING.md).
"""

from __future__ import annotations

from ..errors import DigitnetError
from .activations import LeakyReLU, ReLU, Sigmoid, Tanh
from .batchnorm import BatchNorm
from .conv import Conv2D
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .layer import Layer
from .pooling import GlobalAvgPool, MaxPool2D

LAYER_TYPES: dict[str, type[Layer]] = {
    "dense": Dense,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "dropout": Dropout,
    "conv2d": Conv2D,
    "maxpool2d": MaxPool2D,
    "flatten": Flatten,
    "batchnorm": BatchNorm,
    "global_avgpool": GlobalAvgPool,
}
# digitnet's own layer classes (not a learner's subclass): those the fast paths may plan for
OWN_TYPES = tuple(LAYER_TYPES.values())
ACTIVATIONS: dict[str, type[Layer]] = {
    name: cls for name, cls in LAYER_TYPES.items() if cls.is_activation
}
# The initialisation of a dense layer before each activation: He before ReLU-like units, which
# zero half their inputs; Glorot before symmetric squashing units (each class's init_before).
DEFAULT_INIT = {name: cls.init_before for name, cls in ACTIVATIONS.items()}


def layer_from_config(config: dict) -> Layer:
    """A new layer from its config() (parameters not yet built)."""
    if not isinstance(config, dict) or config.get("type") not in LAYER_TYPES:
        kind = config.get("type") if isinstance(config, dict) else config
        raise DigitnetError(
            f"unknown layer type {kind!r}; digitnet knows {', '.join(LAYER_TYPES)}"
        )
    arguments = {key: value for key, value in config.items() if key != "type"}
    try:
        return LAYER_TYPES[config["type"]](**arguments)
    except TypeError:
        raise DigitnetError(
            f"invalid settings for a {config['type']} layer: {arguments}"
        ) from None


def make_activation(name: str) -> Layer:
    """A new activation layer called `name` (relu, leaky_relu, sigmoid or tanh)."""
    if name not in ACTIVATIONS:
        raise DigitnetError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]()
