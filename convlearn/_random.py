"""The package's default random number generator and the one rule for ``rng``/``seed`` arguments.

Every function or layer of convlearn that draws random numbers takes an ``rng`` (or ``seed``) argument
and resolves it with :func:`as_generator`:

* a :class:`numpy.random.Generator` is used as is (its state advances);
* an int seeds a new, independent Generator, so the same int gives the same numbers;
* ``None`` uses the module-level default generator, whose state advances from call to call, so that
  two layers built one after the other get different weights (as in PyTorch).

The default generator starts from seed 0 when the package is imported, so a fresh Python process that
makes the same calls in the same order gets the same numbers. :func:`convlearn.manual_seed` restarts it, the
counterpart of ``torch.manual_seed``: call it at the top of a script or notebook to make everything
that relies on the default reproducible.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["manual_seed", "default_generator", "as_generator"]

_INITIAL_SEED = 0
_default = np.random.default_rng(_INITIAL_SEED)


def manual_seed(seed: int) -> np.random.Generator:
    """Restart the default generator from ``seed`` and return it.

    Parameters
    ----------
    seed : int
        A non-negative integer.

    Returns
    -------
    numpy.random.Generator
        The default generator (the object that ``rng=None`` always uses), now in the state of a new
        ``numpy.random.default_rng(seed)``.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer (``bool`` included).
    ValueError
        If ``seed`` is negative.

    Examples
    --------
    >>> import convlearn
    >>> from convlearn import nn
    >>> _ = convlearn.manual_seed(3)
    >>> a = nn.Conv2d(1, 1, 3)
    >>> _ = convlearn.manual_seed(3)
    >>> bool((nn.Conv2d(1, 1, 3).weight.value == a.weight.value).all())
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {seed!r} of type {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed!r}")
    # Re-seed the one Generator object in place, so that layers holding it (Dropout) follow the new seed.
    _default.bit_generator.state = np.random.default_rng(int(seed)).bit_generator.state
    return _default


def default_generator() -> np.random.Generator:
    """The generator used when ``rng=None`` (restarted by :func:`convlearn.manual_seed`)."""
    return _default


def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """``rng`` as a :class:`numpy.random.Generator`.

    Parameters
    ----------
    rng : numpy.random.Generator or int or None
        A Generator is returned as is, an int seeds a new Generator, ``None`` gives the default
        generator (see :func:`convlearn.manual_seed`).
    name : str
        The argument's name, quoted in the error message.

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    TypeError
        If ``rng`` is of any other type (``bool`` included).
    """
    if rng is None:
        return _default
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"{name} must be a numpy.random.Generator, an int seed or None; got {type(rng).__name__}")
