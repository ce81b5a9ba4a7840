"""digitnet: a neural network written from scratch in NumPy that learns to read handwritten digits.

import digitnet as dn
(X_train, y_train), (X_test, y_test) = dn.load_mnist()
model = dn.MLP([784, 128, 64, 10], activation="relu", seed=0)
history = model.fit(X_train, y_train, epochs=10, optimizer=dn.Adam(lr=1e-3),
                    validation_data=(X_test, y_test))
"""

from ._version import __version__
from .data.datasets import Dataset, load_csv, load_dataset, load_idx_folder, load_mnist
from .errors import DigitnetError, DivergenceError
from .interchange import export, import_onnx
from .model import MLP, Sequential, load_model
from .nn.activations import LeakyReLU, ReLU, Sigmoid, Tanh
from .nn.batchnorm import BatchNorm
from .nn.conv import Conv2D
from .nn.dense import Dense
from .nn.dropout import Dropout
from .nn.flatten import Flatten
from .nn.layer import Layer
from .nn.losses import SoftmaxCrossEntropy
from .nn.pooling import GlobalAvgPool, MaxPool2D
from .optim import SGD, Adam, Optimizer
from .reading import NumberReading, read_number
from .training.callbacks import Callback, EarlyStopping
from .training.history import History

__all__ = [
    "Sequential",
    "MLP",
    "Layer",
    "Dropout",
    "Callback",
    "EarlyStopping",
    "Optimizer",
    "SGD",
    "Adam",
    "Dense",
    "Conv2D",
    "MaxPool2D",
    "Flatten",
    "BatchNorm",
    "GlobalAvgPool",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "SoftmaxCrossEntropy",
    "History",
    "DigitnetError",
    "DivergenceError",
    "load_mnist",
    "load_idx_folder",
    "load_dataset",
    "Dataset",
    "load_csv",
    "load_model",
    "read_number",
    "export",
    "import_onnx",
    "NumberReading",
    "__version__",
]
