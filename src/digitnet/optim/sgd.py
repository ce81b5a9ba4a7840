"""Stochastic gradient descent: plain, with momentum, or with Nesterov momentum."""

from __future__ import annotations

import numpy as np

from ..errors import DigitnetError
from .base import Optimizer, saved_arrays


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (heavy-ball or Nesterov).

    Plain (momentum 0):  p <- p - lr g
    Momentum mu:         v <- mu v + g;  p <- p - lr v
    Nesterov:            v <- mu v + g;  p <- p - lr (g + mu v)
    weight_decay wd adds the L2 penalty's gradient first: g <- g + wd p (where decay says so),
    in a scratch array: the gradients themselves are left as backward wrote them.
    The same formulation as torch.optim.SGD (dampening 0).
    """

    def __init__(
        self,
        lr: float = 0.001,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr, weight_decay)
        if not 0.0 <= momentum < 1.0:
            raise DigitnetError(f"momentum must be in [0, 1), got {momentum!r}")
        if nesterov and momentum == 0.0:
            raise DigitnetError("Nesterov momentum needs momentum > 0 (e.g. momentum=0.9)")
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.velocities: list[np.ndarray] = []
        self._scratch: list[np.ndarray] = []
        self._decayed: list[np.ndarray] = []  # g + wd p, for the parameters that decay

    def state_dict(self) -> dict:
        """What a checkpoint must keep to continue exactly: the velocities."""
        return {"arrays": {f"velocity{i}": v for i, v in enumerate(self.velocities)}}

    def load_state_dict(self, state: dict, params: list[np.ndarray]) -> None:
        """Restore the state saved by state_dict (for the parameters `params`)."""
        if self.momentum:
            self.velocities = saved_arrays(state, "velocity", params)
            self._scratch = [np.empty_like(p) for p in params]

    def begin_step(self, params: list[np.ndarray]) -> None:
        """Make the scratch arrays (and velocities) at the first step."""
        if not self._scratch:
            self._scratch = [np.empty_like(p) for p in params]
            if self.momentum:
                self.velocities = [np.zeros_like(p) for p in params]
        if self.weight_decay and not self._decayed:
            self._decayed = [np.empty_like(p) for p in params]

    def update(
        self, i: int, p: np.ndarray, g: np.ndarray, decayed: bool, part: slice = slice(None)
    ) -> None:
        """p[part] -= lr (g + mu v) (or lr v, or lr g) for params[i]."""
        # Each line writes into an existing array (`out=`): no temporaries per step.
        p, g, tmp = p[part], g[part], self._scratch[i][part]
        if self.weight_decay and decayed:
            g_decayed = np.multiply(p, self.weight_decay, out=self._decayed[i][part])
            g = np.add(g_decayed, g, out=g_decayed)  # g = g + wd p
        if not self.momentum:
            np.multiply(g, self.lr, out=tmp)  # plain: p -= lr * g
        else:
            v = self.velocities[i][part]
            v *= self.momentum
            v += g  # v = mu v + g
            if self.nesterov:
                np.multiply(v, self.momentum, out=tmp)
                tmp += g
                tmp *= self.lr  # lr (g + mu v)
            else:
                np.multiply(v, self.lr, out=tmp)  # lr v
        p -= tmp
