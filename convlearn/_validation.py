"""Argument checking shared by every public function of convlearn.

Every public operation funnels its inputs through these helpers so that bad
input fails early with a :class:`ValueError` or :class:`TypeError` whose
message names the offending argument and the shapes involved, instead of an
``IndexError`` from deep inside a loop or a silently wrong shape.

None of these helpers writes to its input: arrays are converted with
:func:`numpy.asarray` (no copy when already suitable) and only ever read.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "as_real_array",
    "check_ndim",
    "check_choice",
    "as_int_tuple",
    "as_positive_int",
    "as_nonnegative_int",
    "result_dtype",
]


def as_real_array(x, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Return ``x`` as a real floating NumPy array, validating its dtype.

    Parameters
    ----------
    x : array_like
        The input. Python lists, tuples and scalars are accepted.
    name : str
        The argument's name, used in error messages.
    allow_empty : bool, optional
        Whether an array with a zero-length axis is acceptable.

    Returns
    -------
    numpy.ndarray
        ``float32`` if ``x`` is ``float32``; ``float64`` for every other real
        dtype (integers, booleans, ``float16``, ``float64``) -- the
        contract's "integer inputs are computed as float64". The input array
        itself is never modified.

    Raises
    ------
    TypeError
        If ``x`` is complex, or not numeric (strings, objects, ...).
    ValueError
        If ``x`` is empty and ``allow_empty`` is false.
    """
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists, etc.
        raise TypeError(f"{name} must be a real numeric array; got {type(x).__name__} ({exc})") from None
    if np.iscomplexobj(arr):
        raise TypeError(
            f"{name} must be real, got complex dtype {arr.dtype} with shape {arr.shape}; "
            "pass x.real (or np.real(x)) if the imaginary part is meant to be dropped"
        )
    if arr.dtype.kind not in "biuf":  # bool, int, unsigned, float; not timedelta/datetime/str/object
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype} with shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if arr.dtype.kind == "f" and arr.dtype.itemsize == 4:
        return arr.astype(np.float32, copy=False)  # also brings '>f4' to native byte order
    return arr.astype(np.float64, copy=False)


def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """The dtype of a result computed from ``arrays``.

    ``float32`` only when every array is ``float32``; ``float64`` otherwise.
    """
    if arrays and all(a.dtype == np.float32 for a in arrays):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def check_ndim(x: np.ndarray, name: str, ndim: int | Sequence[int], layout: str | None = None) -> None:
    """Raise ``ValueError`` unless ``x.ndim`` is ``ndim`` (or one of them).

    ``layout`` (e.g. ``"(N, C, H, W)"``) is quoted in the message to tell the
    user what was expected.
    """
    allowed = (ndim,) if isinstance(ndim, numbers.Integral) else tuple(ndim)
    if x.ndim not in allowed:
        want = " or ".join(f"{d}-D" for d in allowed)
        lay = f" {layout}" if layout else ""
        raise ValueError(f"{name} must be {want}{lay}, got a {x.ndim}-D array with shape {x.shape}")


def check_choice(value, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; raise ``ValueError`` otherwise."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}")
    return value


def _as_int(value, name: str) -> int:
    if type(value) is int:  # the common case, first (bool is a subclass of int, not int itself)
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    if isinstance(value, numbers.Integral):
        return int(value)
    fvalue = float(value)
    if not np.isfinite(fvalue):
        raise ValueError(f"{name} must be a finite integer, got {value!r}")
    if not fvalue.is_integer():
        raise TypeError(f"{name} must be an integer, got {value!r}")
    return int(fvalue)


def as_positive_int(value, name: str) -> int:
    """``value`` as an ``int`` >= 1, or a clear error."""
    v = _as_int(value, name)
    if v < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return v


def as_nonnegative_int(value, name: str) -> int:
    """``value`` as an ``int`` >= 0, or a clear error."""
    v = _as_int(value, name)
    if v < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return v


def as_axis_geometry(size, kernel_size, stride, padding, dilation, output_padding=0, *, size_name: str = "size"):
    """The hyper-parameters of one axis of a convolution as ints, or a clear error naming the argument.

    Returns ``(size, kernel_size, stride, padding, dilation, output_padding)``: sizes, kernel, stride and
    dilation must be >= 1, padding and output padding >= 0. ``size`` is reported as ``size_name``.
    """
    return (as_positive_int(size, size_name), as_positive_int(kernel_size, "kernel_size"),
            as_positive_int(stride, "stride"), as_nonnegative_int(padding, "padding"),
            as_positive_int(dilation, "dilation"), as_nonnegative_int(output_padding, "output_padding"))


def as_int_tuple(value, n: int, name: str, *, minimum: int = 0) -> tuple[int, ...]:
    """Expand an int or a length-``n`` sequence into a tuple of ``n`` ints >= ``minimum``.

    Parameters
    ----------
    value : int or sequence of int
        One value for every spatial axis, or one per axis.
    n : int
        Number of spatial axes.
    name : str
        Argument name for error messages.
    minimum : int
        Smallest allowed value (1 for stride/dilation/kernel size, 0 for padding).
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    if isinstance(value, Iterable) and not isinstance(value, np.ndarray) or (
        isinstance(value, np.ndarray) and value.ndim == 1
    ):
        items = tuple(value)
        if len(items) != n:
            raise ValueError(f"{name} must be an int or a tuple of {n} ints (one per spatial axis), got {value!r}")
    else:
        items = (value,) * n
    out = tuple(_as_int(v, name) for v in items)
    for v in out:
        if v < minimum:
            raise ValueError(f"{name} must be >= {minimum} on every axis, got {value!r}")
    return out
