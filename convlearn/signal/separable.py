"""Separable kernels: a rank-1 kernel ``K = k_col k_row^T`` is two 1-D convolutions.

Convolving an ``(H, W)`` image with a ``kH x kW`` kernel costs ``kH * kW``
multiply-adds per pixel; when the kernel is an outer product (box blur,
Gaussian blur, Sobel) convolving the columns with ``k_col`` and then the rows
with ``k_row`` gives the same image for ``kH + kW`` multiply-adds per pixel.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_real_array, check_choice, check_ndim, result_dtype
from ._checks import MODES, check_valid_shapes, crop_nd

__all__ = ["separable_convolve2d", "separate_kernel"]


def _full_along(a: np.ndarray, k: np.ndarray, axis: int) -> np.ndarray:
    """Full 1-D convolution of every column (axis 0) or row (axis 1) of ``a`` with ``k``."""
    shape = list(a.shape)
    size = shape[axis]
    shape[axis] = size + len(k) - 1
    out = np.zeros(shape)
    for m, km in enumerate(k):  # tap m shifts the whole array by m along `axis`
        idx = [slice(None), slice(None)]
        idx[axis] = slice(m, m + size)
        out[tuple(idx)] += km * a
    return out


def separable_convolve2d(image, k_col, k_row, mode="full"):
    """``convolve2d(image, np.outer(k_col, k_row), mode)`` computed as two passes of 1-D convolution.

    Parameters
    ----------
    image : (H, W) array_like
    k_col : (kH,) array_like
        Kernel applied down the columns (along axis 0).
    k_row : (kW,) array_like
        Kernel applied along the rows (axis 1).
    mode : {'full', 'same', 'valid'}
        As in ``scipy.signal.convolve2d`` (zero boundary).

    Returns
    -------
    out : ndarray, shape as for :func:`~convlearn.signal.convolve2d` with a ``(kH, kW)`` kernel
    """
    image = as_real_array(image, "image")
    k_col = as_real_array(k_col, "k_col")
    k_row = as_real_array(k_row, "k_row")
    check_ndim(image, "image", 2, "(H, W)")
    check_ndim(k_col, "k_col", 1, "(kH,)")
    check_ndim(k_row, "k_row", 1, "(kW,)")
    mode = check_choice(mode, "mode", MODES)
    kshape = (len(k_col), len(k_row))
    if mode == "valid":
        check_valid_shapes(image.shape, kshape, "image", f"kernel (from k_col, k_row) with shape {kshape},")
    dtype = result_dtype(image, k_col, k_row)
    a = image.astype(np.float64, copy=False)
    full = _full_along(_full_along(a, k_col.astype(np.float64), 0), k_row.astype(np.float64), 1)
    out = crop_nd(full, image.shape, kshape, mode, same_offsets=tuple((q - 1) // 2 for q in kshape))
    return np.ascontiguousarray(out, dtype=dtype)


def separate_kernel(kernel, *, rtol=1e-10):
    """Split a rank-1 kernel into ``(k_col, k_row)`` with ``np.outer(k_col, k_row) == kernel``.

    Uses the singular value decomposition ``K = sum_r s_r u_r v_r^T``: ``K`` is
    separable exactly when only the first singular value is non-zero, and then
    ``k_col = sqrt(s_1) u_1``, ``k_row = sqrt(s_1) v_1`` (signs chosen so that
    the first non-zero entry of ``k_col`` is positive).

    Parameters
    ----------
    kernel : (kH, kW) array_like
    rtol : float, keyword-only
        ``kernel`` counts as rank 1 when ``s_2 <= rtol * s_1``.

    Returns
    -------
    k_col : (kH,) ndarray
    k_row : (kW,) ndarray

    Raises
    ------
    ValueError
        If the kernel is not rank 1 (the message gives the singular-value ratio).

    Examples
    --------
    >>> sobel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    >>> k_col, k_row = separate_kernel(sobel)
    >>> bool(np.allclose(np.outer(k_col, k_row), sobel)), bool(np.allclose(k_col / k_col[0], [1, 2, 1]))
    (True, True)
    """
    kernel = as_real_array(kernel, "kernel")
    check_ndim(kernel, "kernel", 2, "(kH, kW)")
    if not np.isfinite(kernel).all():
        raise ValueError(f"kernel must be finite to be separated; got shape {kernel.shape} with inf/NaN entries")
    dtype = result_dtype(kernel)
    u, s, vt = np.linalg.svd(kernel.astype(np.float64), full_matrices=False)
    if s[0] == 0:
        return np.zeros(kernel.shape[0], dtype), np.zeros(kernel.shape[1], dtype)
    if len(s) > 1 and s[1] > rtol * s[0]:
        raise ValueError(
            f"kernel of shape {kernel.shape} is not separable (rank > 1): singular values s_2/s_1 = {s[1] / s[0]:.3g} "
            f"> rtol = {rtol:g}"
        )
    k_col, k_row = np.sqrt(s[0]) * u[:, 0], np.sqrt(s[0]) * vt[0]
    first = np.flatnonzero(np.abs(k_col) > 1e-12 * np.abs(k_col).max())[0]
    if k_col[first] < 0:
        k_col, k_row = -k_col, -k_row
    return k_col.astype(dtype), k_row.astype(dtype)
