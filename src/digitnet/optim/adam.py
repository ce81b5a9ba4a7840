"""Adam, with decoupled weight decay (AdamW) and denormal flushing."""

from __future__ import annotations

import math

import numpy as np

from ..errors import DigitnetError
from .base import Optimizer, saved_arrays


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), with the same formulation as torch.optim.Adam.

    m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2;   t <- t + 1
    p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
    weight_decay wd is decoupled (AdamW, Loshchilov & Hutter 2019): first p <- p (1 - lr wd),
    applied to the parameters that decay says (all by default, as torch.optim.AdamW).

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
        super().__init__(lr, weight_decay)
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
            self.m, self.v = saved_arrays(state, "m", params), saved_arrays(state, "v", params)
            self._scratch = [np.empty_like(p) for p in params]

    def begin_step(self, params: list[np.ndarray]) -> None:
        """Make the moments at the first step; count the step and work out its constants."""
        if not self.m:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
            self._scratch = [np.empty_like(p) for p in params]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        c = math.sqrt((1 - b2) / (1 - b2**self.t))
        self._step_size = self.lr * (1 - b1) / ((1 - b1**self.t) * c)
        self._eps_hat = self.eps / c

    def update(
        self, i: int, p: np.ndarray, g: np.ndarray, decayed: bool, part: slice = slice(None)
    ) -> None:
        """p[part] -= step M / (sqrt(V) + eps_hat), after the moments of params[i] move."""
        p, g = p[part], g[part]
        M, V, tmp = self.m[i][part], self.v[i][part], self._scratch[i][part]
        if self.weight_decay and decayed:
            p *= 1 - self.lr * self.weight_decay  # decoupled: shrink, apart from the gradient
        M *= self.beta1
        M += g  # M = b1 M + g
        np.multiply(g, g, out=tmp)
        V *= self.beta2
        V += tmp  # V = b2 V + g^2
        np.sqrt(V, out=tmp)
        tmp += self._eps_hat
        np.divide(M, tmp, out=tmp)
        tmp *= self._step_size
        p -= tmp  # p = p - step * M / (sqrt(V) + eps_hat)
        if self.t % self.FLUSH_EVERY == 0:
            _flush_tiny(M, self.FLUSH_BELOW)
            _flush_tiny(V, self.FLUSH_BELOW)


def _flush_tiny(array: np.ndarray, below: float) -> None:
    """Set entries with |value| < below to 0, in place (keeps them out of the denormal range)."""
    array[np.abs(array) < below] = 0
