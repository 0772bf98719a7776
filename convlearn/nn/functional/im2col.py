"""im2col / col2im: turning a convolution into one matrix product, and back.

``im2col`` copies every receptive field (window) of the zero-padded input into a column, so that a
cross-correlation with ``C_out`` filters becomes the product ``W (C_out, C·k_H·k_W) @ cols``. ``col2im`` is
its adjoint: it adds every column back into the window it came from (overlapping windows sum), which is
exactly what the gradient with respect to the input needs.

The private helpers work for any number of spatial axes; the public ``im2col``/``col2im`` are 2-D, with
the column layout of ``torch.nn.functional.unfold``/``fold`` (channel-major, then kernel rows, then
kernel columns; windows in row-major order).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convlearn._validation import as_int_tuple, as_real_array, check_ndim

from . import _args
from .geometry import dilated_extent, strided_span

__all__ = ["im2col", "col2im"]


# ----------------------------------------------------------------------------------------------------------------
# N-d building blocks (also used by the convolution, transposed-convolution and pooling fast paths)
# ----------------------------------------------------------------------------------------------------------------
def pad(x: np.ndarray, pads, value: float = 0.0) -> np.ndarray:
    """``x`` with ``pads[i] = (low, high)`` samples of ``value`` around spatial axis ``i`` (new array).

    Returns ``x`` itself (not a copy) when there is nothing to pad; the input is never written to.
    """
    if all(lo == 0 and hi == 0 for lo, hi in pads):
        return x
    shape = x.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads, strict=True))
    xp = np.full(shape, value, dtype=x.dtype)
    inner = (slice(None), slice(None)) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[2:], pads, strict=True))
    xp[inner] = x
    return xp


def zeroed(out: np.ndarray | None, shape, dtype) -> np.ndarray:
    """``out`` set to zero, or a new array of zeros of ``shape`` and ``dtype`` when ``out`` is None."""
    if out is None:
        return np.zeros(shape, dtype=dtype)
    out.fill(0)
    return out


def tap_slices(tap, stride, dilation, out_shape) -> tuple[slice, ...]:
    """Index of the samples that kernel tap ``tap`` touches, one per output position.

    On every spatial axis, output ``o`` reads the padded input at ``o * s + t * d``; for a fixed tap ``t``
    these positions form the strided slice ``t*d : t*d + (O-1)*s + 1 : s``.
    """
    return (slice(None), slice(None)) + tuple(
        slice(t * d, t * d + strided_span(o, s), s) for t, s, d, o in zip(tap, stride, dilation, out_shape, strict=True)
    )


def windows(xp: np.ndarray, kernel, stride, dilation, out_shape) -> np.ndarray:
    """Read-only view ``(N, C, *out_shape, *kernel)`` of every (strided, dilated) window of ``xp``."""
    nd = len(kernel)
    extent = tuple(dilated_extent(k, d) for k, d in zip(kernel, dilation, strict=True))
    view = sliding_window_view(xp, extent, axis=tuple(range(2, 2 + nd)))
    index = (
        (slice(None), slice(None))
        + tuple(slice(0, strided_span(o, s), s) for o, s in zip(out_shape, stride, strict=True))
        + tuple(slice(None, None, d) for d in dilation)
    )
    return view[index]


def unfold(xp: np.ndarray, kernel, stride, dilation, out_shape) -> np.ndarray:
    """Columns ``(N, C·prod(kernel), prod(out_shape))`` of the padded input ``xp`` (one contiguous copy)."""
    n, c = xp.shape[:2]
    nd = len(kernel)
    kk = math.prod(kernel)
    ll = math.prod(out_shape)
    if kk == 1 and all(s == 1 for s in stride) and tuple(xp.shape[2:]) == tuple(out_shape):
        return xp.reshape(n, c, ll)  # 1x1 kernel, stride 1: the input already is the column matrix
    view = windows(xp, kernel, stride, dilation, out_shape)
    # (N, C, *out, *k) -> (N, C, *k, *out): columns ordered channel, kernel taps; rows are output positions.
    order = (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd))
    return view.transpose(order).reshape(n, c * kk, ll)


def unfold_with_ones(xp: np.ndarray, kernel, stride, dilation, out_shape, groups: int = 1) -> np.ndarray:
    """The columns of :func:`unfold` per group and a row of ones below each group's: ``(N, G, C/G·K + 1, L)``.

    The bias rides in the product as one more column of the weights: ``[W_g | b_g] @ [cols_g; 1] = W_g @ cols_g
    + b_g``, so that the convolution needs no pass of its own over its output to add the bias.
    """
    n, c = xp.shape[:2]
    nd = len(kernel)
    rows = c // groups * math.prod(kernel)
    cols = np.empty((n, groups, rows + 1, math.prod(out_shape)), dtype=xp.dtype)
    # splitting axes never copies: these are views of ``cols``
    taps = cols[:, :, :rows].reshape((n, groups, c // groups) + tuple(kernel) + tuple(out_shape))
    view = windows(xp, kernel, stride, dilation, out_shape).reshape(
        (n, groups, c // groups) + tuple(out_shape) + tuple(kernel))
    taps[...] = view.transpose((0, 1, 2) + tuple(range(3 + nd, 3 + 2 * nd)) + tuple(range(3, 3 + nd)))
    cols[:, :, rows] = 1
    return cols


def with_bias(wg: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """The weight matrices ``wg (G, C_out/G, C_in/G·K)`` with the bias as one more column, ``(G, C_out/G,
    C_in/G·K + 1)``, for the columns of :func:`unfold_with_ones`; ``wg`` itself when there is no bias."""
    return wg if bias is None else np.concatenate([wg, bias.reshape(wg.shape[0], -1, 1)], axis=2)


def fold(cols: np.ndarray, padded_shape, kernel, stride, dilation, out_shape) -> np.ndarray:
    """Adjoint of :func:`unfold`: add columns ``(N, C, *kernel, *out_shape)`` back into a zero array.

    Returns an array of shape ``padded_shape``; overlapping windows accumulate. One vectorised
    update per kernel tap (never a Python loop over the batch or over positions).
    """
    out = np.zeros(padded_shape, dtype=cols.dtype)
    for tap in itertools.product(*(range(k) for k in kernel)):
        out[tap_slices(tap, stride, dilation, out_shape)] += cols[(slice(None), slice(None)) + tap + (Ellipsis,)]
    return out


def crop(xp: np.ndarray, pads, shape) -> np.ndarray:
    """Remove the padding added by :func:`pad`: the ``shape``-sized block starting at each ``low``."""
    return xp[(slice(None), slice(None)) + tuple(slice(lo, lo + n) for (lo, _), n in zip(pads, shape, strict=True))]


# ----------------------------------------------------------------------------------------------------------------
# Public 2-D im2col / col2im
# ----------------------------------------------------------------------------------------------------------------
def _geometry(spatial, kernel_size, stride, padding, dilation, what):
    kernel = as_int_tuple(kernel_size, 2, "kernel_size", minimum=1)
    stride = as_int_tuple(stride, 2, "stride", minimum=1)
    dilation = as_int_tuple(dilation, 2, "dilation", minimum=1)
    p = as_int_tuple(padding, 2, "padding", minimum=0)
    pads = tuple((v, v) for v in p)
    _args.check_kernel_fits((0, 0) + tuple(spatial), kernel, dilation, pads, x_name=what)
    out_shape = _args.out_shape(spatial, kernel, stride, pads, dilation)
    return kernel, stride, dilation, pads, out_shape


def im2col(x, kernel_size, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Unfold every sliding window of a batch of images into a column.

    Parameters
    ----------
    x : (N, C, H, W) array_like
        Input images.
    kernel_size : int or (kH, kW)
    stride, padding, dilation : int or (int, int)
        As in :func:`conv2d` (zero padding).

    Returns
    -------
    cols : (N, C * kH * kW, L) ndarray
        ``L = H_out * W_out`` windows in row-major order; row ``c*kH*kW + i*kW + j`` holds tap ``(i, j)`` of
        channel ``c`` (the layout of ``torch.nn.functional.unfold``). Then ``conv2d(x, w)`` equals
        ``(w.reshape(C_out, -1) @ cols).reshape(N, C_out, H_out, W_out)``.
    """
    x = as_real_array(x, "x")
    check_ndim(x, "x", 4, "(N, C, H, W)")
    kernel, stride, dilation, pads, out_shape = _geometry(x.shape[2:], kernel_size, stride, padding, dilation,
                                                          f"x (shape {x.shape})")
    cols = unfold(pad(x, pads), kernel, stride, dilation, out_shape)
    return np.array(cols, copy=True) if np.shares_memory(cols, x) else cols


def col2im(cols, input_shape, kernel_size, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Adjoint of :func:`im2col`: add every column back into its window.

    Parameters
    ----------
    cols : (N, C * kH * kW, L) array_like
    input_shape : (N, C, H, W) tuple of int
        Shape of the image that :func:`im2col` unfolded.
    kernel_size, stride, padding, dilation
        The values given to :func:`im2col`.

    Returns
    -------
    (N, C, H, W) ndarray
        Overlapping windows are summed (so ``col2im(im2col(x))`` multiplies each pixel by the number of
        windows that contain it); contributions landing in the padding are dropped. Satisfies
        ``<im2col(x), c> = <x, col2im(c)>`` for all ``x``, ``c``.
    """
    cols = as_real_array(cols, "cols")
    check_ndim(cols, "cols", 3, "(N, C*kH*kW, L)")
    shape = as_int_tuple(input_shape, 4, "input_shape", minimum=1)
    n, c, h, w = shape
    kernel, stride, dilation, pads, out_shape = _geometry((h, w), kernel_size, stride, padding, dilation,
                                                          f"input_shape {shape}")
    expected = (n, c * kernel[0] * kernel[1], out_shape[0] * out_shape[1])
    if cols.shape != expected:
        raise ValueError(
            f"cols must have shape (N, C*kH*kW, H_out*W_out) = {expected} for input_shape {shape}, "
            f"kernel_size {kernel}, stride {stride}, padding {tuple(p for p, _ in pads)}, dilation {dilation}; "
            f"got shape {cols.shape}"
        )
    padded = (n, c) + tuple(s + lo + hi for s, (lo, hi) in zip((h, w), pads, strict=True))
    xp = fold(cols.reshape((n, c) + kernel + out_shape), padded, kernel, stride, dilation, out_shape)
    return np.ascontiguousarray(crop(xp, pads, (h, w)))
