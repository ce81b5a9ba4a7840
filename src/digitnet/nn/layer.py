"""The layer protocol: what every layer in digitnet has and does, and how it declares itself.

A layer owns its parameters and knows its configuration, as a PyTorch module or a Keras layer:

    params, grads       dicts with the same keys ("W", "b"; empty for activations); grads has the
                        gradient of the loss for each parameter after backward
    state               arrays that are saved but not trained (a batch norm's running statistics)
    build(rng, dtype)   create the parameters (drawn from `rng`) in `dtype`; Network calls it
    forward(x, training=False) -> y     keeps only what backward needs
    backward(grad_out) -> dL/dx         overwrites self.grads (no accumulation, so no zero_grad)
    config() -> dict    JSON-able, with a "type" key: layers.layer_from_config rebuilds the layer
    output_shape(input_shape) -> shape  of one example, without the batch axis; raises on a
                        shape the layer cannot take

Shapes are of one example: (D,) for feature vectors, (C, H, W) for images.

A layer class also declares, as class attributes, its name in model files (type_name) and its
`--layers` term (spec_name, spec_numbers, spec_options, ...): nn/spec.py parses and writes the
terms from these alone, and layers.LAYER_TYPES lists the classes.

Planning flags. Network._plan reads keeps_output and passes_input_through to decide where a ReLU
may overwrite its input, and sets each layer's inplace and needs_input_grad. A newcomer may
ignore inplace and needs_input_grad (optimisations: a layer may always work out of place and
return dL/dx), and may leave keeps_output and passes_input_through False as long as forward
returns a new array (or a reused buffer of its own) and backward reads no array forward returned.
Set trains_differently if training computes another output (dropout, batch norm). The contract
tests (tests/nn/test_layer_contract.py) catch a flag that disagrees with what the layer does.
follows_layout and converts_layout (nn/layout.py) let the plan keep images batch last through
digitnet's own layers; a newcomer leaves them False and always sees (N, C, H, W).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

import numpy as np

from ..errors import DigitnetError
from .buffers import Buffers


class Setting(NamedTuple):
    """A number of a `--layers` term and the constructor argument it sets: Setting("K",
    "kernel_size") for a required number, Setting("stride", "stride") for a named option."""

    word: str  # a required number's placeholder in the usage ("K"), or an option's name
    argument: str  # the constructor argument that receives it
    whole: bool = True  # must be an integer (a dropout rate need not)


class OnnxGraph(Protocol):
    """What a layer writes its ONNX nodes into (digitnet.interchange builds one per export)."""

    def tensor(self, name: str, array: np.ndarray) -> str:
        """Store a constant of this layer (a weight) in the graph; return its name there."""
        ...

    def node(self, op: str, inputs: list[str], **attributes: object) -> str:
        """Add an ONNX operation reading `inputs`; return its output's name."""
        ...


class Layer:
    """Base class: a layer with no parameters, whose output has its input's shape."""

    type_name = "layer"  # the "type" of config(), the key model files store: each class its own
    decay: tuple[str, ...] = ()  # names of the params that weight decay applies to
    is_activation = False  # an element-wise nonlinearity: its output is a layer's activations
    init_before = "glorot"  # the initialisation that suits a dense layer feeding this one
    # --- planning flags (see the module docstring)
    keeps_output = False  # backward reads the output of forward: nobody may overwrite it
    passes_input_through = False  # forward may return its input itself (dropout at eval)
    trains_differently = False  # forward(training=True) computes another output than evaluation
    # --- layouts of images (nn/layout.py): where the plan may keep them batch last, (C, H, W, N)
    follows_layout = False  # works on (C, H, W, N) as on (N, C, H, W), output as its input
    converts_layout = False  # may change the layout (conv, max-pooling); followers read it too
    # --- its `--layers` term, e.g. "conv OUT K [stride S] [pad P]" (nn/spec.py reads these)
    spec_name: str | None = None  # the term's first word; None: --layers does not offer it
    spec_numbers: tuple[Setting, ...] = ()  # the numbers that follow the name, in order
    spec_options: tuple[Setting, ...] = ()  # the named numbers it may take ("stride 2")
    spec_example: str | None = None  # a term for the docs and tests; None: the bare name
    takes_images = False  # needs images (C, H, W): a spec with it reads images
    takes_vectors = False  # needs vectors (D,): --layers puts a flatten before it after images
    input_size_argument: str | None = None  # the constructor argument set to the input's axis 0
    takes_init = False  # its constructor takes init: --layers picks it for the next activation

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self.buffers = Buffers()  # scratch arrays reused from batch to batch in training
        self.needs_input_grad = True  # Network._plan turns it off where the input is the data
        self.inplace = False  # Network._plan turns it on where overwriting the input is safe
        # Network._plan sets these where images stay (C, H, W, N) between layers (nn/layout.py)
        self.input_batch_last = False
        self.output_batch_last = False

    @classmethod
    def from_term(
        cls, settings: dict[str, float], input_shape: tuple[int, ...], init: str
    ) -> Layer:
        """The layer of a parsed `--layers` term: its settings by constructor argument, plus the
        input's size (input_size_argument) and the init chosen for the next activation
        (takes_init). A layer built in another way overrides this."""
        arguments: dict[str, object] = dict(settings)
        if cls.input_size_argument is not None:
            arguments[cls.input_size_argument] = input_shape[0]
        if cls.takes_init:
            arguments["init"] = init
        return cls(**arguments)

    def build(self, rng: np.random.Generator, dtype: str) -> None:
        """Create the parameters (a layer without parameters has nothing to do)."""

    def multiply_adds(self, input_shape: tuple[int, ...]) -> int:
        """The multiply-adds of one example's forward pass (1 multiply-add = 2 FLOP), for an
        input of `input_shape`: those of its matrix products; 0 for a layer without weights,
        whose element-wise work is not counted."""
        return 0

    # --- other frameworks (digitnet.interchange): each layer says how it is written for them
    def to_onnx(self, graph: OnnxGraph, x: str, input_shape: tuple[int, ...]) -> str:
        """Write this layer as ONNX operations reading the tensor named x (one example of
        input_shape, the batch first); return the name of its output."""
        raise DigitnetError(f"{type(self).__name__}: digitnet has no ONNX form for it")

    def torch_module(self, input_shape: tuple[int, ...]) -> str:
        """The torch.nn module that computes what this layer does, as code with torch.nn
        imported as nn ("nn.Linear(784, 128)")."""
        raise DigitnetError(f"{type(self).__name__}: digitnet has no PyTorch form for it")

    def torch_state(self) -> dict[str, np.ndarray]:
        """This layer's arrays under the names of its torch.nn module's state_dict."""
        return {}

    def _set_params(self, **arrays: np.ndarray) -> None:
        """Make `arrays` the parameters, each with a gradient of zeros of its shape and dtype."""
        self.params = dict(arrays)
        self.grads = {name: np.zeros_like(array) for name, array in arrays.items()}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The layer's output for a batch. A training-mode forward may return a buffer the layer
        reuses: the next training forward overwrites it (copy it to keep it)."""
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """Given dL/d(output), fill self.grads and return dL/dx (None if not needed)."""
        raise NotImplementedError

    def config(self) -> dict:
        """What rebuilds this layer: {"type": ..., and the constructor's arguments}."""
        return {"type": self.type_name}

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of one example's output, given one example's input shape."""
        return tuple(input_shape)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "type")
        return f"{type(self).__name__}({arguments})"
