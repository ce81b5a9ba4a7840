"""Optimizers: turn gradients into parameter updates.

`step(params, grads)` takes two aligned lists of arrays and updates the parameters IN PLACE
(`p -= ...`). Writing `p = p - ...` would only rebind a local name and silently leave the model
unchanged. Per-parameter state (velocities, moments) lives in lists aligned with `params`.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DigitnetError


def _check_lr(lr: float) -> float:
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise DigitnetError(f"learning rate must be a finite number > 0, got {lr!r}")
    return float(lr)


class SGD:
    """Stochastic gradient descent, optionally with momentum (heavy-ball or Nesterov).

    Plain (momentum 0):  p <- p - lr g              (the original project's w -= lr * grad)
    Momentum mu:         v <- mu v + g;  p <- p - lr v
    Nesterov:            v <- mu v + g;  p <- p - lr (g + mu v)
    weight_decay wd adds the L2 penalty's gradient first: g <- g + wd p.
    The same formulation as torch.optim.SGD (dampening 0).
    """

    def __init__(
        self,
        lr: float = 0.001,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        self.lr = _check_lr(lr)
        self.weight_decay = _check_weight_decay(weight_decay)
        if not 0.0 <= momentum < 1.0:
            raise DigitnetError(f"momentum must be in [0, 1), got {momentum!r}")
        if nesterov and momentum == 0.0:
            raise DigitnetError("Nesterov momentum needs momentum > 0 (e.g. momentum=0.9)")
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.velocities: list[np.ndarray] = []
        self._scratch: list[np.ndarray] = []

    def state_dict(self) -> dict:
        """What a checkpoint must keep to continue exactly: the velocities."""
        return {"arrays": {f"velocity{i}": v for i, v in enumerate(self.velocities)}}

    def load_state_dict(self, state: dict, params: list[np.ndarray]) -> None:
        """Restore the state saved by state_dict (for the parameters `params`)."""
        if self.momentum:
            self.velocities = _arrays(state, "velocity", params)
            self._scratch = [np.empty_like(p) for p in params]

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        if not self._scratch:
            self._scratch = [np.empty_like(p) for p in params]
            if self.momentum:
                self.velocities = [np.zeros_like(p) for p in params]
        # Each line writes into an existing array (`out=`): no temporaries per step.
        for i, (p, g, tmp) in enumerate(zip(params, grads, self._scratch)):
            if self.weight_decay:
                np.multiply(p, self.weight_decay, out=tmp)
                g += tmp  # g = g + wd p (the gradient is recomputed every step anyway)
            if not self.momentum:
                np.multiply(g, self.lr, out=tmp)  # plain: p -= lr * g
            else:
                v = self.velocities[i]
                v *= self.momentum
                v += g  # v = mu v + g
                if self.nesterov:
                    np.multiply(v, self.momentum, out=tmp)
                    tmp += g
                    tmp *= self.lr  # lr (g + mu v)
                else:
                    np.multiply(v, self.lr, out=tmp)  # lr v
            p -= tmp


class Adam:
    """Adam (Kingma & Ba 2015), with the same formulation as torch.optim.Adam.

    m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2;   t <- t + 1
    p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
    weight_decay wd is decoupled (AdamW, Loshchilov & Hutter 2019): first p <- p (1 - lr wd),
    applied to every parameter as torch.optim.AdamW does.

    Implementation: the moments are kept rescaled, M = m / (1 - b1) and V = v / (1 - b2), so that
    each update is M <- b1 M + g and V <- b2 V + g^2, and all constant factors move into one step
    size and one epsilon per step (same values, fewer passes over the weights):
        p <- p - step * M / (sqrt(V) + eps_hat),  c = sqrt((1 - b2) / (1 - b2^t)),
        step = lr (1 - b1) / ((1 - b1^t) c),  eps_hat = eps / c.
    Every operation writes into existing arrays (`out=`): ten passes, no temporaries.

    Denormals: where a weight's gradient stays 0 (a pixel that is blank in recent batches), its M
    decays by b1 each step and after ~800 steps reaches float32's denormal range (< 1.2e-38),
    where many CPUs compute up to 100x slower. Every FLUSH_EVERY steps, moments below
    FLUSH_BELOW are set to 0: at most a 1e-22 change to a weight, far below float32 rounding.
    """

    FLUSH_EVERY = 50  # 1e-30 * 0.9^50 = 5e-33: still a normal float when the next flush comes
    FLUSH_BELOW = 1e-30

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        self.lr = _check_lr(lr)
        self.weight_decay = _check_weight_decay(weight_decay)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= beta < 1.0:
                raise DigitnetError(f"{name} must be in [0, 1), got {beta!r}")
        if not eps > 0:
            raise DigitnetError(f"eps must be > 0, got {eps!r}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.t = 0
        self.m: list[np.ndarray] = []  # M = m / (1 - beta1), one per parameter
        self.v: list[np.ndarray] = []  # V = v / (1 - beta2), one per parameter
        self._scratch: list[np.ndarray] = []

    def state_dict(self) -> dict:
        """What a checkpoint must keep to continue exactly: the step count and both moments."""
        arrays = {f"m{i}": m for i, m in enumerate(self.m)}
        arrays.update({f"v{i}": v for i, v in enumerate(self.v)})
        return {"t": self.t, "arrays": arrays}

    def load_state_dict(self, state: dict, params: list[np.ndarray]) -> None:
        """Restore the state saved by state_dict (for the parameters `params`)."""
        self.t = int(state["t"])
        if self.t:
            self.m, self.v = _arrays(state, "m", params), _arrays(state, "v", params)
            self._scratch = [np.empty_like(p) for p in params]

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update every parameter in place from its gradient and the running moments."""
        if not self.m:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
            self._scratch = [np.empty_like(p) for p in params]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        c = math.sqrt((1 - b2) / (1 - b2**self.t))
        step_size = self.lr * (1 - b1) / ((1 - b1**self.t) * c)
        eps_hat = self.eps / c
        for p, g, M, V, tmp in zip(params, grads, self.m, self.v, self._scratch):
            if self.weight_decay:
                p *= 1 - self.lr * self.weight_decay  # decoupled: shrink, apart from the gradient
            M *= b1
            M += g  # M = b1 M + g
            np.multiply(g, g, out=tmp)
            V *= b2
            V += tmp  # V = b2 V + g^2
            np.sqrt(V, out=tmp)
            tmp += eps_hat
            np.divide(M, tmp, out=tmp)
            tmp *= step_size
            p -= tmp  # p = p - step * M / (sqrt(V) + eps_hat)
            if self.t % self.FLUSH_EVERY == 0:
                _flush_tiny(M, self.FLUSH_BELOW)
                _flush_tiny(V, self.FLUSH_BELOW)


def _check_weight_decay(weight_decay: float) -> float:
    if not (isinstance(weight_decay, (int, float)) and 0 <= weight_decay < math.inf):
        raise DigitnetError(f"weight decay must be a finite number >= 0, got {weight_decay!r}")
    return float(weight_decay)


def _arrays(state: dict, prefix: str, params: list[np.ndarray]) -> list[np.ndarray]:
    """The saved arrays prefix0, prefix1, ..., checked against the parameters they go with."""
    arrays = []
    for i, p in enumerate(params):
        array = state["arrays"].get(f"{prefix}{i}")
        if array is None or array.shape != p.shape:
            raise DigitnetError(f"optimizer state {prefix}{i} is missing or has the wrong shape")
        arrays.append(np.array(array, dtype=p.dtype))
    return arrays


def _flush_tiny(array: np.ndarray, below: float) -> None:
    """Set entries with |value| < below to 0, in place (keeps them out of the denormal range)."""
    array[np.abs(array) < below] = 0


OPTIMIZERS = ("gd", "momentum", "nesterov", "adam")


def make_optimizer(
    name: str, lr: float = 0.001, momentum: float = 0.9, weight_decay: float = 0.0
) -> SGD | Adam:
    """Build the optimizer the CLI calls `name`: gd, momentum, nesterov or adam."""
    if name == "gd":
        return SGD(lr, weight_decay=weight_decay)
    if name == "momentum":
        return SGD(lr, momentum=momentum, weight_decay=weight_decay)
    if name == "nesterov":
        return SGD(lr, momentum=momentum, nesterov=True, weight_decay=weight_decay)
    if name == "adam":
        return Adam(lr, weight_decay=weight_decay)
    raise DigitnetError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
