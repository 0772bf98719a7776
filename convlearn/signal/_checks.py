"""Argument checking shared by the public functions of :mod:`convlearn.signal`.

Built on :mod:`convlearn._validation`; this module only adds the rules that are
specific to convolution (modes, boundaries, the ``'valid'`` size rule, the
crop offsets of the ``'same'`` and ``'valid'`` modes).
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import as_real_array, check_choice, check_ndim

MODES = ("full", "same", "valid")
BOUNDARIES = ("fill", "wrap", "symm")
METHODS = ("auto", "direct", "fft")


def check_1d(x, k, xname: str, kname: str, mode: str) -> tuple[np.ndarray, np.ndarray, str]:
    """Validate the arguments of a 1-D operation; return float arrays and the mode."""
    x = as_real_array(x, xname)
    k = as_real_array(k, kname)
    check_ndim(x, xname, 1, "(L,)")
    check_ndim(k, kname, 1, "(K,)")
    mode = check_choice(mode, "mode", MODES)
    return x, k, mode


def check_2d(image, kernel, mode: str, boundary: str, fillvalue) -> tuple[np.ndarray, np.ndarray, str, str, float]:
    """Validate the arguments of a 2-D operation; return float arrays, mode, boundary and fill value."""
    image = as_real_array(image, "image")
    kernel = as_real_array(kernel, "kernel")
    check_ndim(image, "image", 2, "(H, W)")
    check_ndim(kernel, "kernel", 2, "(kH, kW)")
    mode = check_choice(mode, "mode", MODES)
    boundary = check_choice(boundary, "boundary", BOUNDARIES)
    fillvalue = as_fillvalue(fillvalue)
    if mode == "valid":
        check_valid_shapes(image.shape, kernel.shape, "image", "kernel")
    return image, kernel, mode, boundary, fillvalue


def as_fillvalue(fillvalue) -> float:
    """The fill value as a Python float (a real scalar or a one-element array)."""
    if isinstance(fillvalue, (str, bytes)):
        raise TypeError(f"fillvalue must be a real number, got {fillvalue!r}")
    if isinstance(fillvalue, numbers.Number) and not isinstance(fillvalue, numbers.Real):
        raise TypeError(f"fillvalue must be a real number, got complex {fillvalue!r}")
    arr = np.asarray(fillvalue)
    if np.iscomplexobj(arr):
        raise TypeError(f"fillvalue must be a real number, got complex {fillvalue!r}")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"fillvalue must be a real number, got {fillvalue!r} of dtype {arr.dtype}")
    if arr.size != 1:
        raise ValueError(f"fillvalue must be a scalar or a one-element array, got shape {arr.shape}")
    return float(arr.reshape(()))


def check_method(method: str) -> str:
    """``method`` must be ``'auto'``, ``'direct'`` or ``'fft'``."""
    return check_choice(method, "method", METHODS)


def check_valid_shapes(shape_a, shape_b, name_a: str, name_b: str, *, ignore_unit_axes: bool = False) -> None:
    """``'valid'`` mode needs one array at least as large as the other along every axis (SciPy's rule).

    With ``ignore_unit_axes`` (the rule of ``scipy.signal.fftconvolve``),
    axes where either array has length 1 are not compared.
    """
    pairs = [(p, q) for p, q in zip(shape_a, shape_b, strict=True) if not (ignore_unit_axes and 1 in (p, q))]
    a_ge = all(p >= q for p, q in pairs)
    b_ge = all(q >= p for p, q in pairs)
    if not (a_ge or b_ge):
        where = " (axes where either has length 1 excepted)" if ignore_unit_axes else ""
        raise ValueError(
            f"mode='valid' needs one of {name_a} and {name_b} to be at least as large as the other along every "
            f"axis{where}; got {name_a} shape {tuple(shape_a)} and {name_b} shape {tuple(shape_b)}"
        )


def crop_1d_convolve(full: np.ndarray, m: int, n: int, mode: str) -> np.ndarray:
    """Crop a full 1-D convolution of lengths ``m`` and ``n`` as ``numpy.convolve`` does."""
    if mode == "full":
        return full
    lo, hi = min(m, n), max(m, n)
    if mode == "same":
        start = (lo - 1) // 2
        return full[start : start + hi]
    return full[lo - 1 : hi]  # valid


def crop_nd(full: np.ndarray, shape_a, shape_b, mode: str, *, same_offsets) -> np.ndarray:
    """Crop an N-D full result (shape ``a + b - 1``) to ``mode``.

    ``'same'`` keeps ``shape_a`` starting at ``same_offsets``; ``'valid'`` keeps
    ``|a - b| + 1`` per axis starting at ``min(a, b) - 1`` (SciPy's rule).
    """
    if mode == "full":
        return full
    if mode == "same":
        idx = tuple(slice(o, o + s) for o, s in zip(same_offsets, shape_a, strict=True))
    else:
        idx = tuple(slice(min(p, q) - 1, max(p, q)) for p, q in zip(shape_a, shape_b, strict=True))
    return full[idx]
