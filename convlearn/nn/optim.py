"""Optimisers updating :class:`~convlearn.nn.Parameter` values in place, with PyTorch's update rules.

Both take the list returned by ``model.parameters()``; call ``step()`` after ``model.backward``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

from convlearn.nn.module import Parameter

__all__ = ["Optimizer", "SGD", "Adam"]


def _nonneg(value, name: str, *, positive: bool = False, below_one: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite real number, got {value!r}")
    v = float(value)
    if v < 0 or (positive and v == 0) or (below_one and v >= 1):
        rng = "in [0, 1)" if below_one else ("> 0" if positive else ">= 0")
        raise ValueError(f"{name} must be {rng}, got {value!r}")
    return v


class Optimizer:
    """Base class: holds the parameters and clears their gradients."""

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimiser got an empty parameter list")
        for p in self.params:
            if not isinstance(p, Parameter):
                raise TypeError(f"params must be convlearn.nn.Parameter objects (model.parameters()), got {type(p)}")
        self.lr = _nonneg(lr, "lr", positive=True)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad[...] = 0

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay (``torch.optim.SGD``).

    With ``g = grad + weight_decay · θ``: ``b ← momentum · b + g`` (``b = g`` on the first step) and
    ``θ ← θ − lr · b``; without momentum simply ``θ ← θ − lr · g``.
    """

    def __init__(self, params: Iterable[Parameter], lr: float = 0.01, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _nonneg(momentum, "momentum")
        self.weight_decay = _nonneg(weight_decay, "weight_decay")
        self._buf: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        for i, p in enumerate(self.params):
            g = p.grad + self.weight_decay * p.value if self.weight_decay else p.grad
            if self.momentum:
                if self._buf[i] is None:
                    self._buf[i] = np.array(g, dtype=p.value.dtype, copy=True)
                else:
                    self._buf[i] *= self.momentum
                    self._buf[i] += g
                g = self._buf[i]
            p.value -= self.lr * g

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay})"


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with PyTorch's update rule (``torch.optim.Adam``).

    With ``g = grad + weight_decay · θ`` at step ``t``:
    ``m ← β₁ m + (1 − β₁) g``, ``v ← β₂ v + (1 − β₂) g²``,
    ``θ ← θ − lr · m̂ / (√v̂ + ε)`` where ``m̂ = m / (1 − β₁ᵗ)`` and ``v̂ = v / (1 − β₂ᵗ)``.
    """

    def __init__(self, params: Iterable[Parameter], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (_nonneg(b1, "betas[0]", below_one=True), _nonneg(b2, "betas[1]", below_one=True))
        self.eps = _nonneg(eps, "eps")
        self.weight_decay = _nonneg(weight_decay, "weight_decay")
        self.t = 0
        self._m = [np.zeros_like(p.value) for p in self.params]
        self._v = [np.zeros_like(p.value) for p in self.params]

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1.0 - b1**self.t, 1.0 - b2**self.t
        for p, m, v in zip(self.params, self._m, self._v, strict=True):
            g = p.grad + self.weight_decay * p.value if self.weight_decay else p.grad
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * g * g
            denom = np.sqrt(v) / np.sqrt(c2) + self.eps
            p.value -= (self.lr / c1) * m / denom

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay})"
