"""The plain reference: layers, loss, SGD, Adam and a whole network, the obvious NumPy way.

Read this first: digitnet's math as a learner writes it, a function per equation, a fresh array
for every result, no buffers, no `out=`, no tricks. It is the tests' oracle: the fast layers,
loss, optimizers and a whole training epoch must agree with it (tests/nn/test_reference.py);
benchmarks/plain_numpy.py times it. Row batches: x (N, D_in) @ W (D_in, D_out) + b.
"""

from __future__ import annotations

import numpy as np

SIZES = (784, 128, 64, 10)


# --- layers: forward, and backward from grad_out = dL/d(output) --------------------------------
def dense(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z = x W + b."""
    return x @ W + b  # (N, D_out)


def dense_backward(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dL/dx, dL/dW, dL/db) of z = x W + b."""
    dx = grad_out @ W.T  # dL/dx = grad_out W^T   (N, D_in)
    dW = x.T @ grad_out  # dL/dW = x^T grad_out   (D_in, D_out)
    db = grad_out.sum(axis=0)  # dL/db = sum over the batch   (D_out,)
    return dx, dW, db


def relu(x: np.ndarray) -> np.ndarray:
    """y = max(x, 0)."""
    return np.maximum(x, 0)


def relu_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """dL/dx = grad_out * [x > 0]."""
    return grad_out * (x > 0)


def leaky_relu(x: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """y = x where x > 0, else slope x."""
    return np.where(x > 0, x, slope * x)


def leaky_relu_backward(x: np.ndarray, grad_out: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """dL/dx = grad_out * (1 where x > 0, else slope)."""
    return np.where(x > 0, grad_out, slope * grad_out)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """y = 1 / (1 + e^-x) (exp overflows, with a warning, for x < -709; digitnet's doesn't)."""
    return 1 / (1 + np.exp(-x))


def sigmoid_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """dL/dx = grad_out * y (1 - y), y = sigmoid(x)."""
    y = sigmoid(x)
    return grad_out * y * (1 - y)


def tanh(x: np.ndarray) -> np.ndarray:
    """y = tanh(x)."""
    return np.tanh(x)


def tanh_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """dL/dx = grad_out * (1 - y^2), y = tanh(x)."""
    y = np.tanh(x)
    return grad_out * (1 - y**2)


# --- loss: softmax and cross-entropy together ---------------------------------------------------
def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean loss L = -(1/N) sum_n log p[n, y_n], p = softmax(logits), and dL/dlogits."""
    N, C = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)  # (N, C), each row's largest is 0
    exp = np.exp(shifted)  # no overflow: every entry is in (0, 1]
    total = exp.sum(axis=1, keepdims=True)  # (N, 1)
    probs = exp / total  # (N, C)
    # -log p[label] = log(total) - shifted[label]: finite even where p[label] rounds to 0
    loss = np.mean(np.log(total[:, 0]) - shifted[np.arange(N), labels])
    onehot = np.eye(C, dtype=logits.dtype)[labels]  # (N, C), a 1 in each row's label column
    grad = (probs - onehot) / N  # dL/dlogits = (p - onehot) / N   (N, C)
    return float(loss), grad


# --- optimizers: update the arrays in params in place (p -= ..., never p = p - ...) -------------
def sgd_step(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    velocities: list[np.ndarray],
    lr: float,
    momentum: float = 0.0,
    nesterov: bool = False,
    weight_decay: float = 0.0,
) -> None:
    """One SGD step (as torch.optim.SGD); velocities: a list of arrays, zeros at first."""
    for i, (p, g) in enumerate(zip(params, grads)):
        if weight_decay:
            g = g + weight_decay * p  # the gradient of the L2 penalty (wd / 2) |p|^2 is wd p
        if momentum == 0:
            p -= lr * g
            continue
        velocities[i] = momentum * velocities[i] + g  # v = mu v + g
        if nesterov:
            p -= lr * (g + momentum * velocities[i])  # look ahead along v
        else:
            p -= lr * velocities[i]


def adam_state(params: list[np.ndarray]) -> dict:
    """Adam's state for params: the step count t and the moments m, v (zeros)."""
    return {
        "t": 0,
        "m": [np.zeros_like(p) for p in params],
        "v": [np.zeros_like(p) for p in params],
    }


def adam_step(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    state: dict,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> None:
    """One Adam step (as torch.optim.AdamW: weight decay shrinks p apart from the gradient)."""
    state["t"] += 1
    t = state["t"]
    for i, (p, g) in enumerate(zip(params, grads)):
        if weight_decay:
            p *= 1 - lr * weight_decay  # decoupled: not through m and v
        state["m"][i] = beta1 * state["m"][i] + (1 - beta1) * g  # running mean of g
        state["v"][i] = beta2 * state["v"][i] + (1 - beta2) * g * g  # running mean of g^2
        m_hat = state["m"][i] / (1 - beta1**t)  # both start at 0: undo that bias
        v_hat = state["v"][i] / (1 - beta2**t)
        p -= lr * m_hat / (np.sqrt(v_hat) + eps)


# --- the 784-128-64-10 ReLU network, trained with Adam ------------------------------------------
def init(
    seed: int, sizes: tuple[int, ...] = SIZES
) -> tuple[list[np.ndarray], dict, np.random.Generator]:
    """Weights [W1, b1, W2, b2, ...] (float32), Adam state, and the random generator.

    The same draws as digitnet.MLP(sizes, seed=seed): He-normal hidden layers (before ReLU),
    a Glorot-uniform output layer (before softmax), zero biases, from one default_rng(seed).
    """
    rng = np.random.default_rng(seed)
    params: list[np.ndarray] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i < len(sizes) - 2:  # hidden layer: W ~ N(0, 2 / fan_in)
            W = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
        else:  # output layer: W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out))
            a = np.sqrt(6.0 / (fan_in + fan_out))
            W = rng.uniform(-a, a, (fan_in, fan_out))
        params += [W.astype(np.float32), np.zeros(fan_out, np.float32)]
    return params, adam_state(params), rng


def forward(params: list[np.ndarray], x: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Logits (N, 10) of a batch x (N, 784), and what backward needs (z1, a1, z2, a2)."""
    W1, b1, W2, b2, W3, b3 = params
    z1 = dense(x, W1, b1)  # (N, 128)
    a1 = relu(z1)
    z2 = dense(a1, W2, b2)  # (N, 64)
    a2 = relu(z2)
    return dense(a2, W3, b3), (z1, a1, z2, a2)  # (N, 10)


def backward(
    params: list[np.ndarray],
    x: np.ndarray,
    cache: tuple[np.ndarray, ...],
    grad_logits: np.ndarray,
) -> list[np.ndarray]:
    """Gradients [dW1, db1, dW2, db2, dW3, db3] from dL/dlogits, last layer first."""
    W1, _, W2, _, W3, _ = params
    z1, a1, z2, a2 = cache
    da2, dW3, db3 = dense_backward(a2, W3, grad_logits)
    da1, dW2, db2 = dense_backward(a1, W2, relu_backward(z2, da2))
    dz1 = relu_backward(z1, da1)  # (N, 128)
    # As dense_backward, but without dL/dx = dz1 W1^T: nobody needs the gradient of the pixels.
    dW1, db1 = x.T @ dz1, dz1.sum(axis=0)
    return [dW1, db1, dW2, db2, dW3, db3]


def train_epoch(
    params: list[np.ndarray],
    adam: dict,
    rng: np.random.Generator,
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int = 128,
    lr: float = 1e-3,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
) -> float:
    """One epoch of mini-batch Adam on float32 images X (n, 784) in [0, 1]; the mean loss."""
    order = rng.permutation(len(X))  # a new order every epoch, as digitnet's fit draws it
    loss_sum = 0.0
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        x, labels = X[batch], y[batch]
        logits, cache = forward(params, x)
        loss, grad_logits = softmax_cross_entropy(logits, labels)
        grads = backward(params, x, cache, grad_logits)
        adam_step(params, grads, adam, lr, b1, b2, eps)
        loss_sum += loss * len(batch)
    return loss_sum / len(X)  # the mean over images (a smaller last batch weighs less)


def predict(params: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """Predicted digits for float32 images x (n, 784)."""
    return forward(params, x)[0].argmax(axis=1)
