"""Convolution as a matrix: Toeplitz (1-D) and doubly block Toeplitz (2-D).

Convolution with a fixed kernel is linear in the signal, so it is a matrix:

* 1-D: ``convolution_matrix_1d(k, L, mode) @ x == convolve1d(x, k, mode)`` for
  every ``x`` of length ``L``.  The full matrix has ``T[i, j] = k[i - j]``
  (zero outside ``0 <= i - j < K``): constant along each diagonal, a
  *Toeplitz* matrix.
* 2-D: ``convolution_matrix_2d(kernel, (H, W), mode) @ image.ravel() ==
  convolve2d(image, kernel, mode).ravel()`` (row-major ``ravel``, zero
  boundary).  Its ``W``-column blocks are Toeplitz matrices built from the
  kernel's rows, arranged in a Toeplitz pattern of blocks: *doubly block
  Toeplitz*.  It is returned as a ``scipy.sparse`` matrix because only
  ``kH * kW`` entries per column are non-zero.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_positive_int, as_real_array, check_choice, check_ndim, result_dtype
from ._checks import MODES, check_valid_shapes

__all__ = ["convolution_matrix_1d", "convolution_matrix_2d"]


def _kept_range(size: int, ksize: int, mode: str, same_start: int) -> tuple[int, int]:
    """First and one-past-last full-output index kept by ``mode`` along one axis."""
    if mode == "full":
        return 0, size + ksize - 1
    if mode == "same":
        return same_start, same_start + size
    return min(size, ksize) - 1, max(size, ksize)


def convolution_matrix_1d(k, n, mode="full"):
    """The Toeplitz matrix ``T`` with ``T @ x == convolve1d(x, k, mode)`` for every ``x`` of length ``n``.

    Parameters
    ----------
    k : (K,) array_like
        The kernel.
    n : int
        Length ``L`` of the signals the matrix acts on.
    mode : {'full', 'same', 'valid'}
        As in ``numpy.convolve``: ``L + K - 1``, ``max(L, K)`` or ``|L - K| + 1`` rows.

    Returns
    -------
    T : (rows, n) ndarray
        Dense (meant for the small ``n`` of a worked example); row ``i`` of the full matrix holds the
        kernel reversed and shifted, ``T[i, j] = k[i - j]``.

    Examples
    --------
    >>> convolution_matrix_1d([1, 2], 3)
    array([[1., 0., 0.],
           [2., 1., 0.],
           [0., 2., 1.],
           [0., 0., 2.]])
    """
    k = as_real_array(k, "k")
    check_ndim(k, "k", 1, "(K,)")
    n = as_positive_int(n, "n")
    mode = check_choice(mode, "mode", MODES)
    K = len(k)
    i = np.arange(n + K - 1)[:, None]
    j = np.arange(n)[None, :]
    d = i - j
    full = np.where((d >= 0) & (d < K), k[np.clip(d, 0, K - 1)], 0).astype(result_dtype(k))
    lo, hi = _kept_range(n, K, mode, (min(n, K) - 1) // 2)
    if mode == "same":
        hi = lo + max(n, K)
    return full[lo:hi]


def convolution_matrix_2d(kernel, image_shape, mode="full"):
    """The doubly block Toeplitz matrix ``A`` with ``A @ I.ravel() == convolve2d(I, kernel, mode).ravel()``.

    Parameters
    ----------
    kernel : (kH, kW) array_like
    image_shape : (H, W) tuple of int
        Shape of the images the matrix acts on.
    mode : {'full', 'same', 'valid'}
        As in ``scipy.signal.convolve2d`` with ``boundary='fill'``, ``fillvalue=0``.

    Returns
    -------
    A : scipy.sparse.csr_array, shape (H_out * W_out, H * W)
        Entry ``((i, j), (p, q))`` (row-major indices) is ``kernel[i - p, j - q]`` for the kept
        full-output positions ``(i, j)``; ``kH * kW`` non-zeros per column at most.
    """
    kernel = as_real_array(kernel, "kernel")
    check_ndim(kernel, "kernel", 2, "(kH, kW)")
    if isinstance(image_shape, (str, bytes)) or not hasattr(image_shape, "__len__") or len(image_shape) != 2:
        raise ValueError(f"image_shape must be a pair (H, W), got {image_shape!r}")
    H = as_positive_int(image_shape[0], "image_shape[0]")
    W = as_positive_int(image_shape[1], "image_shape[1]")
    mode = check_choice(mode, "mode", MODES)
    kH, kW = kernel.shape
    if mode == "valid":
        check_valid_shapes((H, W), (kH, kW), "image", "kernel")
    r0, r1 = _kept_range(H, kH, mode, (kH - 1) // 2)
    c0, c1 = _kept_range(W, kW, mode, (kW - 1) // 2)
    # Every (kernel tap, pixel) pair: pixel (p, q) times kernel[m, n] lands on full output (p + m, q + n).
    m, n, p, q = np.meshgrid(np.arange(kH), np.arange(kW), np.arange(H), np.arange(W), indexing="ij")
    i, j = p + m, q + n
    keep = (i >= r0) & (i < r1) & (j >= c0) & (j < c1)
    rows = (i[keep] - r0) * (c1 - c0) + (j[keep] - c0)
    cols = p[keep] * W + q[keep]
    vals = kernel[m[keep], n[keep]]
    shape = ((r1 - r0) * (c1 - c0), H * W)
    import scipy.sparse as sp  # here, not with the module: about 0.15 s of CPU that the 1-D matrix never needs

    return sp.csr_array((vals.astype(result_dtype(kernel)), (rows, cols)), shape=shape)
