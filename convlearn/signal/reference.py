"""Readable reference implementations: the loops a learner writes, straight from the formulas.

They are slow (pure Python) and meant for reading, for small examples in the
book, and as the oracle the fast functions of :mod:`convlearn.signal` are
tested against.  They take the same arguments, check them the same way and
return the same numbers as :func:`~convlearn.signal.convolve1d`,
:func:`~convlearn.signal.correlate1d`, :func:`~convlearn.signal.convolve2d` and
:func:`~convlearn.signal.correlate2d`.

Each one first computes the *full* result with the defining sum and then
keeps the part that ``mode`` asks for.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import as_real_array, check_ndim, result_dtype
from ._checks import check_1d, check_2d

__all__ = ["convolve1d_loops", "correlate1d_loops", "convolve2d_loops", "correlate2d_loops", "centred_sum"]


# ----------------------------------------------------------------------------------------------------- 1-D


def _keep(full, m, n, mode, same_start):
    """The part of a full 1-D result (lengths m and n) that ``mode`` keeps."""
    if mode == "full":
        return full
    if mode == "same":
        return full[same_start : same_start + max(m, n)]
    return full[min(m, n) - 1 : max(m, n)]  # 'valid'


def convolve1d_loops(x, k, mode="full"):
    """``(x * k)[n] = sum_m x[m] k[n - m]`` with two loops; same results as ``numpy.convolve``.

    Parameters
    ----------
    x : (L,) array_like
    k : (K,) array_like
    mode : {'full', 'same', 'valid'}

    Returns
    -------
    y : ndarray of length ``L + K - 1`` ('full'), ``max(L, K)`` ('same') or ``|L - K| + 1`` ('valid')
    """
    x, k, mode = check_1d(x, k, "x", "k", mode)
    L, K = len(x), len(k)
    full = np.zeros(L + K - 1)
    for n in range(L + K - 1):
        total = 0.0
        for m in range(L):
            if 0 <= n - m < K:  # k is zero outside 0..K-1
                total += float(x[m]) * float(k[n - m])
        full[n] = total
    return _keep(full, L, K, mode, (min(L, K) - 1) // 2).astype(result_dtype(x, k))


def correlate1d_loops(x, k, mode="valid"):
    """``c[l] = sum_n x[n + l] k[n]`` for every lag ``l``; same results as ``numpy.correlate``.

    Output position ``i`` of the full result is the lag ``l = i - (K - 1)``,
    from ``-(K - 1)`` to ``L - 1``.  NumPy centres ``'same'`` at ``(K - 1) // 2``
    when ``K <= L`` and at ``L // 2`` otherwise.
    """
    x, k, mode = check_1d(x, k, "x", "k", mode)
    L, K = len(x), len(k)
    full = np.zeros(L + K - 1)
    for i in range(L + K - 1):
        lag = i - (K - 1)
        total = 0.0
        for n in range(K):
            if 0 <= n + lag < L:  # x is zero outside 0..L-1
                total += float(x[n + lag]) * float(k[n])
        full[i] = total
    same_start = (K - 1) // 2 if K <= L else L // 2
    return _keep(full, L, K, mode, same_start).astype(result_dtype(x, k))


# ----------------------------------------------------------------------------------------------------- 2-D


def _extended(image, p, q, boundary, fillvalue):
    """``I(p, q)`` for any integers p, q: inside the image its pixel, outside the boundary rule."""
    H, W = image.shape
    if 0 <= p < H and 0 <= q < W:
        return float(image[p, q])
    if boundary == "fill":
        return fillvalue
    if boundary == "wrap":  # periodic
        return float(image[p % H, q % W])
    # 'symm': mirror with the edge pixel repeated, ... I1 I0 | I0 I1 ... I(H-1) | I(H-1) I(H-2) ...
    p, q = p % (2 * H), q % (2 * W)
    if p >= H:
        p = 2 * H - 1 - p
    if q >= W:
        q = 2 * W - 1 - q
    return float(image[p, q])


def _keep_2d(full, image_shape, kernel_shape, mode, same_start):
    if mode == "full":
        return full
    if mode == "same":
        (i0, j0), (H, W) = same_start, image_shape
        return full[i0 : i0 + H, j0 : j0 + W]
    rows, cols = zip(image_shape, kernel_shape, strict=True)
    return full[min(rows) - 1 : max(rows), min(cols) - 1 : max(cols)]  # 'valid'


def convolve2d_loops(image, kernel, mode="full", boundary="fill", fillvalue=0):
    """``(I * K)(i, j) = sum_{m,n} I(i - m, j - n) K(m, n)`` with four loops; same as ``scipy.signal.convolve2d``.

    Parameters
    ----------
    image : (H, W) array_like
    kernel : (kH, kW) array_like
    mode : {'full', 'same', 'valid'}
    boundary : {'fill', 'wrap', 'symm'}
        Value of ``I`` outside the image: ``fillvalue``, periodic, or mirrored.
        ``'valid'`` outputs never look outside, so it is irrelevant there.
    fillvalue : float

    Returns
    -------
    out : ndarray, shape as in :func:`~convlearn.signal.convolve2d`
    """
    image, kernel, mode, boundary, fillvalue = check_2d(image, kernel, mode, boundary, fillvalue)
    (H, W), (kH, kW) = image.shape, kernel.shape
    if mode == "valid" and (kH > H or kW > W):
        return convolve2d_loops(kernel, image, "valid")  # convolution is commutative; SciPy swaps too
    full = np.zeros((H + kH - 1, W + kW - 1))
    for i in range(H + kH - 1):
        for j in range(W + kW - 1):
            total = 0.0
            for m in range(kH):
                for n in range(kW):
                    total += _extended(image, i - m, j - n, boundary, fillvalue) * float(kernel[m, n])
            full[i, j] = total
    out = _keep_2d(full, image.shape, kernel.shape, mode, ((kH - 1) // 2, (kW - 1) // 2))
    return out.astype(result_dtype(image, kernel))


def correlate2d_loops(image, kernel, mode="full", boundary="fill", fillvalue=0):
    """``(I ⋆ K)(i, j) = sum_{m,n} I(i + m, j + n) K(m, n)`` with four loops; same as ``scipy.signal.correlate2d``.

    Full-output position ``(i, j)`` puts the kernel's top-left entry over
    image pixel ``(i - (kH - 1), j - (kW - 1))``. ``'same'`` keeps the window
    starting at ``(kH // 2, kW // 2)``.
    """
    image, kernel, mode, boundary, fillvalue = check_2d(image, kernel, mode, boundary, fillvalue)
    (H, W), (kH, kW) = image.shape, kernel.shape
    if mode == "valid":
        boundary, fillvalue = "fill", 0.0  # never used by valid outputs (SciPy ignores it too)
    full = np.zeros((H + kH - 1, W + kW - 1))
    for i in range(H + kH - 1):
        for j in range(W + kW - 1):
            total = 0.0
            for m in range(kH):
                for n in range(kW):
                    p, q = i - (kH - 1) + m, j - (kW - 1) + n
                    total += _extended(image, p, q, boundary, fillvalue) * float(kernel[m, n])
            full[i, j] = total
    out = _keep_2d(full, image.shape, kernel.shape, mode, (kH // 2, kW // 2))
    return out.astype(result_dtype(image, kernel))


def centred_sum(image, kernel, i, j):
    """The book's ``S(i, j) = sum_{m=-M}^{M} sum_{n=-N}^{N} I(i + m, j + n) K(m, n)`` at one pixel.

    Parameters
    ----------
    image : (H, W) array_like
        ``I``; pixels outside the image count as zero.
    kernel : (2M + 1, 2N + 1) array_like
        ``K``, odd sizes, indexed from its centre: ``K(m, n) = kernel[M + m, N + n]``.
    i, j : int
        The pixel, ``0 <= i < H`` and ``0 <= j < W``.

    Returns
    -------
    float
        Equal to ``correlate2d(image, kernel, mode="same")[i, j]``.
    """
    image = as_real_array(image, "image")
    kernel = as_real_array(kernel, "kernel")
    check_ndim(image, "image", 2, "(H, W)")
    check_ndim(kernel, "kernel", 2, "(2M + 1, 2N + 1)")
    if kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ValueError(f"kernel must have odd sizes (2M + 1, 2N + 1) to have a centre; got shape {kernel.shape}")
    H, W = image.shape
    for name, v, size in (("i", i, H), ("j", j, W)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must be an integer pixel index, got {v!r}")
        if not 0 <= v < size:
            raise ValueError(f"{name}={v} is outside the image of shape {image.shape}")
    M, N = kernel.shape[0] // 2, kernel.shape[1] // 2
    S = 0.0
    for m in range(-M, M + 1):
        for n in range(-N, N + 1):
            if 0 <= i + m < H and 0 <= j + n < W:  # zero outside the image
                S += float(image[i + m, j + n]) * float(kernel[M + m, N + n])
    return S
