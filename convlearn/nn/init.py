"""Weight initialisation: He/Kaiming and Xavier/Glorot, drawn from a ``numpy.random.Generator``.

Every ``rng`` argument is a Generator, an int seed or ``None`` for the package's default generator
(:func:`convlearn.manual_seed` restarts it); :func:`as_generator` is that rule.

Each function returns a new array (pure: nothing is modified). Fans follow PyTorch: for a weight of
shape ``(C_out, C_in/groups, *k)`` the receptive field is ``prod(k)``, ``fan_in = C_in/groups * prod(k)``
and ``fan_out = C_out * prod(k)``; for a linear weight ``(out_features, in_features)`` they are
``in_features`` and ``out_features``.

* He/Kaiming (He et al., 2015) keeps the variance of ReLU activations constant from layer to layer:
  ``std = gain / sqrt(fan)`` with ``gain = sqrt(2)`` for ReLU.
* Xavier/Glorot (Glorot & Bengio, 2010) balances forward and backward variances:
  ``std = gain * sqrt(2 / (fan_in + fan_out))``.
"""

from __future__ import annotations

import math

import numpy as np

from convlearn._random import as_generator
from convlearn._validation import check_choice

__all__ = [
    "as_generator",
    "fan_in_and_fan_out",
    "calculate_gain",
    "kaiming_normal",
    "kaiming_uniform",
    "xavier_normal",
    "xavier_uniform",
    "uniform_fan_in",
]


def _shape(shape) -> tuple[int, ...]:
    try:
        shp = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"shape must be a tuple of ints, got {shape!r}") from None
    if len(shp) < 2 or any(s < 1 for s in shp):
        raise ValueError(f"shape must have at least 2 positive axes (out, in, *kernel), got {shape!r}")
    return shp


def fan_in_and_fan_out(shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``."""
    shp = _shape(shape)
    receptive = math.prod(shp[2:])
    return shp[1] * receptive, shp[0] * receptive


def calculate_gain(nonlinearity: str = "relu") -> float:
    """Recommended gain: ``sqrt(2)`` for ``"relu"``, 1 for ``"linear"``, ``5/3`` for ``"tanh"``."""
    check_choice(nonlinearity, "nonlinearity", ("relu", "linear", "tanh", "sigmoid"))
    return {"relu": math.sqrt(2.0), "linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0}[nonlinearity]


def _fan(shape, mode: str) -> int:
    check_choice(mode, "mode", ("fan_in", "fan_out"))
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return fan_in if mode == "fan_in" else fan_out


def kaiming_normal(shape, *, rng=None, mode: str = "fan_in", nonlinearity: str = "relu", dtype=np.float64):
    """He normal: ``N(0, std^2)`` with ``std = gain / sqrt(fan)``."""
    std = calculate_gain(nonlinearity) / math.sqrt(_fan(shape, mode))
    return (as_generator(rng).standard_normal(_shape(shape)) * std).astype(dtype)


def kaiming_uniform(shape, *, rng=None, mode: str = "fan_in", nonlinearity: str = "relu", dtype=np.float64):
    """He uniform: ``U(-b, b)`` with ``b = gain * sqrt(3 / fan)`` (same variance as :func:`kaiming_normal`)."""
    bound = calculate_gain(nonlinearity) * math.sqrt(3.0 / _fan(shape, mode))
    return as_generator(rng).uniform(-bound, bound, _shape(shape)).astype(dtype)


def xavier_normal(shape, *, rng=None, gain: float = 1.0, dtype=np.float64):
    """Glorot normal: ``N(0, std^2)`` with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = fan_in_and_fan_out(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return (as_generator(rng).standard_normal(_shape(shape)) * std).astype(dtype)


def xavier_uniform(shape, *, rng=None, gain: float = 1.0, dtype=np.float64):
    """Glorot uniform: ``U(-b, b)`` with ``b = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = fan_in_and_fan_out(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return as_generator(rng).uniform(-bound, bound, _shape(shape)).astype(dtype)


def uniform_fan_in(shape, fan_in: int, *, rng=None, dtype=np.float64):
    """``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``: PyTorch's default for weights and biases."""
    bound = 1.0 / math.sqrt(fan_in)
    return as_generator(rng).uniform(-bound, bound, tuple(shape)).astype(dtype)
