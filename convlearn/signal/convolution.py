"""Discrete convolution and cross-correlation with the same numbers as NumPy/SciPy.

=========================  =========================================
convlearn                  oracle
=========================  =========================================
:func:`convolve1d`         ``numpy.convolve``
:func:`correlate1d`        ``numpy.correlate`` (real inputs)
:func:`convolve2d`         ``scipy.signal.convolve2d``
:func:`correlate2d`        ``scipy.signal.correlate2d``
:func:`fftconvolve`        ``scipy.signal.fftconvolve`` (1-D, 2-D, 3-D)
=========================  =========================================

Results are ``float64``, or ``float32`` when every array argument is
``float32``; integers and booleans are computed as ``float64``.  Internally
everything is computed in ``float64``.  The readable loops these functions are
tested against live in :mod:`convlearn.signal.reference`.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_real_array, check_choice, check_ndim, result_dtype
from . import _fast
from ._checks import MODES, check_1d, check_2d, check_method, check_valid_shapes, crop_1d_convolve, crop_nd

__all__ = ["convolve1d", "correlate1d", "convolve2d", "correlate2d", "fftconvolve"]

_PAD_MODE = {"wrap": "wrap", "symm": "symmetric"}


def _f64(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64, copy=False)


# ----------------------------------------------------------------------------------------------------- 1-D


def convolve1d(x, k, mode="full", *, method="auto"):
    """Discrete linear convolution ``(x * k)[n] = sum_m x[m] k[n - m]`` -- ``numpy.convolve``.

    Parameters
    ----------
    x : (L,) array_like
        The signal.
    k : (K,) array_like
        The kernel. It may be longer than ``x`` (convolution is commutative).
    mode : {'full', 'same', 'valid'}
        ``'full'``: every ``n`` where the two overlap, length ``L + K - 1``.
        ``'same'``: length ``max(L, K)``, centred on the full result.
        ``'valid'``: only where one lies entirely inside the other, length ``max(L, K) - min(L, K) + 1``.
    method : {'auto', 'direct', 'fft'}, keyword-only
        ``'direct'`` sums products (NumPy's compiled loop); ``'fft'`` uses the
        convolution theorem (overlap-add for long signals); ``'auto'`` picks
        the cheaper by an operation count.

    Returns
    -------
    y : (L + K - 1,) or (max(L, K),) or (max(L, K) - min(L, K) + 1,) ndarray

    Raises
    ------
    ValueError
        If an input is not 1-D or is empty, or ``mode``/``method`` is unknown.
    TypeError
        If an input is complex or not numeric.

    Examples
    --------
    >>> convolve1d([1, 2, 3], [0, 1, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    """
    x64, k64, mode, method, dtype = _prepare_1d(x, k, mode, method)
    if method == "direct":
        out = np.convolve(x64, k64, mode)
    else:
        out = crop_1d_convolve(_fast.conv1d_fft_full(x64, k64), len(x64), len(k64), mode)
    return np.ascontiguousarray(out, dtype=dtype)


def _prepare_1d(x, k, mode, method):
    """Checked float64 copies of a 1-D pair, its ``mode``, the method to use and the result dtype.

    ``method="auto"`` becomes FFT when that is cheaper and every value is finite, direct otherwise.
    """
    x, k, mode = check_1d(x, k, "x", "k", mode)
    x64, k64 = _f64(x), _f64(k)
    method = _fast.resolve_method(check_method(method), lambda: _fast.choose_method_1d(len(x64), len(k64)), x64, k64)
    return x64, k64, mode, method, result_dtype(x, k)


def correlate1d(x, k, mode="valid", *, method="auto"):
    """Discrete cross-correlation ``c[l] = sum_n x[n + l] k[n]`` -- ``numpy.correlate`` for real inputs.

    Equal to ``convolve1d(x, k[::-1], mode)`` except for NumPy's offset of the
    ``'same'`` window when ``K`` is even, and NumPy's rule when ``k`` is longer
    than ``x``: the roles are swapped and the result reversed,
    ``correlate1d(x, k) == correlate1d(k, x)[::-1]``.

    Parameters
    ----------
    x : (L,) array_like
    k : (K,) array_like
    mode : {'valid', 'same', 'full'}
        Note NumPy's default ``'valid'`` (length ``|L - K| + 1``).
    method : {'auto', 'direct', 'fft'}, keyword-only

    Returns
    -------
    c : ndarray, length ``L + K - 1``, ``max(L, K)`` or ``|L - K| + 1``.

    Examples
    --------
    >>> correlate1d([1, 2, 3, 4], [1, -1])
    array([-1., -1., -1.])
    """
    x64, k64, mode, method, dtype = _prepare_1d(x, k, mode, method)
    m, n = len(x64), len(k64)
    if method == "direct":
        out = np.correlate(x64, k64, mode)
    elif n <= m:
        out = crop_1d_convolve(_fast.conv1d_fft_full(x64, k64[::-1]), m, n, mode)
    else:  # NumPy swaps the roles and reverses the result
        out = crop_1d_convolve(_fast.conv1d_fft_full(k64, x64[::-1]), n, m, mode)[::-1]
    return np.ascontiguousarray(out, dtype=dtype)


# ----------------------------------------------------------------------------------------------------- 2-D


def _conv2d(a, k, mode, boundary, fillvalue, method, same_offsets):
    """2-D convolution of ``a`` with ``k`` (float64), boundary handled, cropped to ``mode``."""
    if mode == "valid":  # boundary values never enter a 'valid' output
        if all(p >= q for p, q in zip(a.shape, k.shape, strict=True)):
            return _fast.conv2d_valid(a, k, method)
        return _fast.conv2d_valid(k, a, method)
    if boundary == "fill" and np.isfinite(fillvalue):
        # Outside the image every value is c: conv(I_ext, K) = conv(I - c, K) + c * sum(K)
        # at every output position of 'full'/'same' (each one covers all kernel taps).
        if fillvalue == 0:
            full = _fast.conv2d_full(a, k, method)
        else:
            full = _fast.conv2d_full(a - fillvalue, k, method) + fillvalue * k.sum()
        return crop_nd(full, a.shape, k.shape, mode, same_offsets=same_offsets)
    # Extend the image by the boundary rule (just as far as the outputs need), then 'valid'.
    if mode == "full":
        pads = tuple((q - 1, q - 1) for q in k.shape)
    else:
        pads = tuple((q - 1 - o, o) for q, o in zip(k.shape, same_offsets, strict=True))
    if boundary == "fill":
        padded = np.pad(a, pads, mode="constant", constant_values=fillvalue)
    else:
        padded = np.pad(a, pads, mode=_PAD_MODE[boundary])
    return _fast.conv2d_valid(padded, k, method)


def convolve2d(image, kernel, mode="full", boundary="fill", fillvalue=0, *, method="auto"):
    """2-D convolution ``(I * K)(i, j) = sum_{m,n} I(i - m, j - n) K(m, n)`` -- ``scipy.signal.convolve2d``.

    Parameters
    ----------
    image : (H, W) array_like
    kernel : (kH, kW) array_like
        May be larger than ``image`` (except in ``'valid'`` mode, see below).
    mode : {'full', 'same', 'valid'}
        ``'full'``: output ``(H + kH - 1, W + kW - 1)``.
        ``'same'``: output ``(H, W)``, the full result cropped from row ``(kH - 1) // 2``
        and column ``(kW - 1) // 2``.
        ``'valid'``: output ``(|H - kH| + 1, |W - kW| + 1)``; one of ``image`` and ``kernel`` must be at
        least as large as the other along both axes.
    boundary : {'fill', 'wrap', 'symm'}
        How ``image`` is extended beyond its edges: the constant ``fillvalue``,
        periodically, or mirrored (edge pixel repeated). Irrelevant for ``'valid'``.
    fillvalue : float
        The constant of ``boundary='fill'``.
    method : {'auto', 'direct', 'fft'}, keyword-only
        Shifted multiply-adds, the FFT, or the cheaper of the two by an operation count.

    Returns
    -------
    out : ndarray
        ``float32`` if ``image`` and ``kernel`` are ``float32``, else ``float64``.

    Raises
    ------
    ValueError
        Wrong ndim, empty input, unknown ``mode``/``boundary``/``method``, or a ``'valid'`` size mismatch.
    TypeError
        Complex or non-numeric input or ``fillvalue``.
    """
    image, kernel, mode, boundary, fillvalue = check_2d(image, kernel, mode, boundary, fillvalue)
    method = check_method(method)
    dtype = result_dtype(image, kernel)
    k = _f64(kernel)
    offsets = tuple((q - 1) // 2 for q in k.shape)
    out = _conv2d(_f64(image), k, mode, boundary, fillvalue, method, offsets)
    return np.ascontiguousarray(out, dtype=dtype)


def correlate2d(image, kernel, mode="full", boundary="fill", fillvalue=0, *, method="auto"):
    """2-D cross-correlation ``(I ⋆ K)(i, j) = sum_{m,n} I(i + m, j + n) K(m, n)`` -- ``scipy.signal.correlate2d``.

    This is what a CNN layer computes. It equals :func:`convolve2d` with the
    kernel flipped on both axes, except that the ``'same'`` window starts at
    row ``kH // 2`` and column ``kW // 2`` of the full result (SciPy's rule; it
    differs from convolution's ``(kH - 1) // 2`` for even kernel sizes). For
    odd kernels of size ``(2M + 1, 2N + 1)``, ``'same'`` gives the centred sum
    ``S(i, j) = sum_{m=-M}^{M} sum_{n=-N}^{N} I(i + m, j + n) K(m, n)``.

    Parameters
    ----------
    image : (H, W) array_like
    kernel : (kH, kW) array_like
    mode : {'full', 'same', 'valid'}
        Output shapes as in :func:`convolve2d`.
    boundary : {'fill', 'wrap', 'symm'}
    fillvalue : float
    method : {'auto', 'direct', 'fft'}, keyword-only

    Returns
    -------
    out : ndarray
    """
    image, kernel, mode, boundary, fillvalue = check_2d(image, kernel, mode, boundary, fillvalue)
    method = check_method(method)
    dtype = result_dtype(image, kernel)
    k = np.ascontiguousarray(_f64(kernel)[::-1, ::-1])
    offsets = tuple(q // 2 for q in k.shape)
    out = _conv2d(_f64(image), k, mode, boundary, fillvalue, method, offsets)
    return np.ascontiguousarray(out, dtype=dtype)


# ----------------------------------------------------------------------------------------------------- N-D


def fftconvolve(a, b, mode="full"):
    """N-D convolution by the FFT (N = 1, 2, 3) -- ``scipy.signal.fftconvolve``.

    Parameters
    ----------
    a : (n_1, ..., n_N) array_like
    b : (m_1, ..., m_N) array_like
        Same number of dimensions as ``a``.
    mode : {'full', 'same', 'valid'}
        ``'full'``: shape ``n + m - 1``; ``'same'``: shape of ``a``, starting at ``(m - 1) // 2``;
        ``'valid'``: shape ``|n - m| + 1``; one array must be at least as large as the other on every axis
        where neither has length 1.

    Returns
    -------
    out : ndarray
        Accurate to about ``1e-15`` relative to ``max |out|`` (round-off of the FFT).
    """
    a = as_real_array(a, "a")
    b = as_real_array(b, "b")
    check_ndim(a, "a", (1, 2, 3))
    check_ndim(b, "b", (1, 2, 3))
    if a.ndim != b.ndim:
        raise ValueError(f"a and b must have the same number of dimensions; got shapes {a.shape} and {b.shape}")
    mode = check_choice(mode, "mode", MODES)
    dtype = result_dtype(a, b)
    a64, b64 = _f64(a), _f64(b)
    if mode == "valid":
        # SciPy's rule ignores axes where either array has length 1 (those are broadcast, not convolved).
        check_valid_shapes(a.shape, b.shape, "a", "b", ignore_unit_axes=True)
        if all(p >= q for p, q in zip(a.shape, b.shape, strict=True)):
            out = _fast.fft_valid(a64, b64)
        elif all(q >= p for p, q in zip(a.shape, b.shape, strict=True)):
            out = _fast.fft_valid(b64, a64)
        else:
            out = crop_nd(_fast.fft_full(a64, b64), a.shape, b.shape, mode, same_offsets=None)
    else:
        full = _fast.fft_full(a64, b64)
        out = crop_nd(full, a.shape, b.shape, mode, same_offsets=tuple((q - 1) // 2 for q in b.shape))
    return np.ascontiguousarray(out, dtype=dtype)
