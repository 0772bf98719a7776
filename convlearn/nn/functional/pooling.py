"""Max and average pooling (2-D) and their gradients, numerically equal to PyTorch.

Both slide a ``k_H × k_W`` window (stride defaults to the kernel size) over each channel separately.
The fast path never builds the windows: it loops over the ``k_H·k_W`` kernel taps and combines shifted,
strided slices of the padded input (``np.maximum`` for max, ``+`` for average), vectorised over batch,
channels and positions. The max-pool gradient finds each window's winning tap in the same loop (or takes
it from ``max_pool2d(..., return_indices=True)``) and hands out ``grad_out`` with one ``np.bincount`` over
the winners' flat indices. Average pooling takes two shortcuts: a single window (a global average pool) is
one sum over the map, and when the windows tile the input (stride = kernel size) its gradient is written
``k_H`` times, one row of every window at a time, instead of once per tap.

PyTorch's rules, reproduced exactly:

* padding may be at most half the kernel size (``p <= k // 2``); max pooling pads with ``-inf``;
* ``ceil_mode=True`` rounds the output size up, except that the last window must start inside the input
  or the left padding (otherwise it is dropped);
* the average divides by the window size clipped to the padded input (``count_include_pad=True``) or by
  the number of real input samples in the window (``count_include_pad=False``);
* in the max-pool gradient the whole upstream gradient goes to the first maximum of the window in
  row-major tap order (a window of -inf values: its first real sample; a window holding NaN: its last NaN);
  overlapping windows accumulate.
"""

from __future__ import annotations

import numpy as np

from convlearn._validation import as_real_array, check_ndim

from . import _args
from .geometry import dilated_extent, output_size
from .im2col import crop, pad
from .setups import PoolSetup

__all__ = ["max_pool2d", "avg_pool2d", "max_pool2d_backward", "avg_pool2d_backward", "pool_output_size"]


def pool_output_size(size: int, kernel_size: int, stride: int, padding: int = 0, dilation: int = 1,
                     ceil_mode: bool = False) -> int:
    """Output length of one pooling axis (PyTorch's rule, including the ``ceil_mode`` correction).

    ``floor`` (or ``ceil``) of ``(size + 2p - d (k - 1) - 1) / s``, plus one; with ``ceil_mode`` the last
    window is dropped if it would start at or beyond ``size + p`` (entirely in the right padding).
    """
    return output_size(size, kernel_size, stride, padding, padding, dilation, ceil_mode)


#: Padded-input elements per block of channel planes in the max-pool gradient, so that the block's window
#: maxima, winner indices and temporaries stay in cache. Measured on the four max-pool cases of
#: ``benchmarks/bench_conv.py`` (geometric mean of the time relative to 32 768, float64 and float32): 8 192: 1.37
#: and 1.65, 16 384: 1.11 and 1.10, 65 536: 0.93 and 0.88, 131 072: 0.90 and 0.86, no blocks: 2.25 and 1.16.
POOL_BLOCK = 131_072


def _grad_out(grad_out):
    go = as_real_array(grad_out, "grad_out")
    check_ndim(go, "grad_out", 4, "(N, C, H_out, W_out)")
    return go


def _max(pool: PoolSetup, xp: np.ndarray) -> np.ndarray:
    """Window maxima: a running ``np.maximum`` over the kernel taps."""
    best = None
    for tap in pool.taps():
        v = xp[pool.tap_slices(tap)]
        if best is None:
            best = v.copy()
        else:
            np.maximum(best, v, out=best)
    return best


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, *, return_indices=False):
    """2-D max pooling, numerically equal to ``torch.nn.functional.max_pool2d``.

    Parameters
    ----------
    x : (N, C, H, W) array_like
    kernel_size : int or (kH, kW)
    stride : int or (sH, sW), optional
        Defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (pH, pW), default 0
        Implicit ``-inf`` padding; at most half the kernel size.
    dilation : int or (dH, dW), default 1
    ceil_mode : bool, default False
        Round the output size up instead of down (see the module docstring for PyTorch's rule).
    return_indices : bool, default False
        Also return where each maximum is, for :func:`max_pool2d_backward`.

    Returns
    -------
    y : (N, C, H_out, W_out) ndarray
        ``H_out = floor((H + 2p - d (kH - 1) - 1) / s) + 1`` (ceil with ``ceil_mode``).
    indices : (N, C, H_out, W_out) ndarray of int64, only with ``return_indices``
        The flat index ``h W + w`` in its ``(H, W)`` input plane of the sample each window took its maximum
        from (the first one in row-major order on ties), as PyTorch's ``return_indices=True`` gives.
        Finding it costs more than the maximum alone; passing it to the backward spares the search there.
    """
    pool = PoolSetup.parse(x, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    if not _args.as_bool(return_indices, "return_indices"):
        return _max(pool, pad(pool.x, pool.pads, -np.inf))
    best, taps = _argmax_taps(pool)
    return best, _plane_index(pool, taps)


def max_pool2d_backward(grad_out, x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, *,
                        indices=None) -> np.ndarray:
    """Gradient of ``sum(max_pool2d(x, ...) * grad_out)`` with respect to ``x``.

    Parameters
    ----------
    grad_out : (N, C, H_out, W_out) array_like
        Must have the shape of ``max_pool2d(x, ...)``.
    x : (N, C, H, W) array_like
    kernel_size, stride, padding, dilation, ceil_mode
        The forward hyper-parameters.
    indices : (N, C, H_out, W_out) array_like of int, optional
        The ``indices`` that ``max_pool2d(x, ..., return_indices=True)`` returned; without them the
        maxima are searched for again.

    Returns
    -------
    grad_x : (N, C, H, W) ndarray
        Each window sends its upstream gradient to its (first) maximum; overlapping windows add up.
    """
    go = _grad_out(grad_out)
    pool = PoolSetup.parse(x, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d_backward", extra=go)
    _args.check_grad_out(go, pool.out_shape, "max_pool2d")
    go = _args.cast(go, pool.x.dtype)
    if indices is None:
        index = _plane_index(pool, _argmax_taps(pool)[1])
    else:
        index = _check_indices(indices, pool)
    overlapping = any(s < dilated_extent(k, d) for s, k, d in zip(pool.stride, pool.kernel, pool.dilation, strict=True))
    return _scatter(go, index, pool.x.shape, overlapping)


def _check_indices(indices, pool: PoolSetup) -> np.ndarray:
    index = np.asarray(indices)
    if index.shape != tuple(pool.out_shape) or index.dtype.kind not in "iu":
        raise ValueError(f"max_pool2d_backward: indices must be integers of shape {tuple(pool.out_shape)} (the output "
                         f"of max_pool2d(..., return_indices=True)), got {index.dtype} of shape {index.shape}")
    plane = int(np.prod(pool.x.shape[2:]))
    if index.size and (index.min() < 0 or index.max() >= plane):
        raise ValueError(f"max_pool2d_backward: indices must lie in [0, {plane}) (H*W of x of shape {pool.x.shape}), "
                         f"got values from {index.min()} to {index.max()}")
    return index


def _scatter(go: np.ndarray, index: np.ndarray, x_shape, overlapping: bool) -> np.ndarray:
    """``grad_x`` of ``x_shape``: every window's ``grad_out`` added at its maximum.

    Windows that overlap can share a maximum, whose gradients must add up: one ``np.bincount`` does that.
    Windows that do not overlap never share one, and a plain assignment does.
    """
    planes, plane = x_shape[0] * x_shape[1], x_shape[2] * x_shape[3]
    flat = index.reshape(planes, -1) + (np.arange(planes) * plane)[:, None]
    if overlapping:
        gx = np.bincount(flat.ravel(), weights=go.ravel(), minlength=planes * plane)
        return gx.astype(go.dtype, copy=False).reshape(x_shape)
    gx = np.zeros(planes * plane, dtype=go.dtype)
    gx[flat.ravel()] = go.ravel()
    return gx.reshape(x_shape)


def _plane_index(pool: PoolSetup, taps: np.ndarray) -> np.ndarray:
    """Flat index ``h W + w`` in the unpadded input plane of kernel tap ``taps[n, c, i, j]`` of window ``(i, j)``."""
    w = pool.x.shape[3]
    (p_top, _), (p_left, _) = pool.pads
    tap_offset = np.array([a * pool.dilation[0] * w + b * pool.dilation[1] for a, b in pool.taps()], dtype=np.int64)
    rows = np.arange(pool.out_spatial[0]) * pool.stride[0] - p_top
    cols = np.arange(pool.out_spatial[1]) * pool.stride[1] - p_left
    index = np.take(tap_offset, taps)
    index += (rows[:, None] * w + cols).astype(np.int64)
    return index


def _argmax_taps(pool: PoolSetup) -> tuple[np.ndarray, np.ndarray]:
    """The window maxima and the kernel tap each came from, by one loop over the taps (branch-free array
    operations only).

    The loop finds the tap of each window's first maximum: a tap that is strictly larger than the running
    maximum moves it, so ties keep the earlier tap, and as taps come in increasing order the index of the
    winner is a running ``maximum(first, t · larger)`` (two vectorised operations; a masked ``np.copyto`` of
    ``t`` is one, but measured 1.3-1.9× slower on the benchmark's overlapping cases). The -inf padding never
    beats a real sample, so this is PyTorch's rule whenever every window's maximum is a real number; windows
    whose maximum is NaN or -inf go to :func:`_argmax_scan`. Channels are independent, so the work goes in
    blocks of channel planes that stay in cache.
    """
    xp = pad(pool.x, pool.pads, -np.inf)
    n, c, hp, wp = xp.shape
    planes = n * c
    x_all = xp.reshape((planes, 1, hp, wp))
    best = np.empty((planes, 1) + tuple(pool.out_spatial), dtype=xp.dtype)
    first = np.empty(best.shape, dtype=np.int64)
    slices = [pool.tap_slices(tap) for tap in pool.taps()]
    step = max(1, POOL_BLOCK // (hp * wp))
    moved = np.empty((min(step, planes),) + best.shape[1:], np.int64)
    larger = np.empty(moved.shape, bool)
    for b0 in range(0, planes, step):
        xb = x_all[b0:b0 + step]
        m = len(xb)
        bb, fb, mb, lb = best[b0:b0 + m], first[b0:b0 + m], moved[:m], larger[:m]
        np.copyto(bb, xb[slices[0]])
        fb.fill(0)
        for t, sl in enumerate(slices[1:], start=1):
            v = xb[sl]
            np.greater(v, bb, out=lb)
            np.maximum(bb, v, out=bb)
            np.multiply(lb, t, out=mb)
            np.maximum(fb, mb, out=fb)
        if np.isnan(bb).any() or np.isneginf(bb).any():  # np.maximum propagates NaN: one check covers both
            return _argmax_scan(pool)
    return best.reshape(pool.out_shape), first.reshape(pool.out_shape)


def _argmax_scan(pool: PoolSetup) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's exact rule, for inputs holding NaN or -inf: the window maxima and the tap each came from.

    Each window scans its real (non-padding) samples in row-major tap order, starting from the first real
    sample with the running maximum at -inf, and moves to a sample when it is larger or NaN. So a window of
    -inf values takes its first real sample, and a window with NaNs its last NaN.
    """
    xp = pad(pool.x, pool.pads, np.nan)
    real = pad(np.ones(pool.x.shape[2:], dtype=bool)[None, None], pool.pads, False)
    best = np.full(pool.out_shape, -np.inf, dtype=pool.x.dtype)
    index = np.full(pool.out_shape, -1, dtype=np.int64)
    first = np.full(pool.out_spatial, -1, dtype=np.int64)[None, None]
    for t, tap in enumerate(pool.taps()):
        sl = pool.tap_slices(tap)
        v, ok = xp[sl], real[sl]
        first = np.where((first < 0) & ok, t, first)
        move = ok & ((v > best) | np.isnan(v))
        best = np.where(move, v, best)
        index = np.where(move, t, index)
    return best, np.where(index < 0, first, index)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True) -> np.ndarray:
    """2-D average pooling, numerically equal to ``torch.nn.functional.avg_pool2d``.

    Parameters
    ----------
    x : (N, C, H, W) array_like
    kernel_size : int or (kH, kW)
    stride : int or (sH, sW), optional
        Defaults to ``kernel_size``.
    padding : int or (pH, pW), default 0
        Implicit zero padding; at most half the kernel size.
    ceil_mode : bool, default False
    count_include_pad : bool, default True
        Whether the zero padding counts in the divisor (the window size clipped to the padded input) or
        not (the number of real samples in the window).

    Returns
    -------
    y : (N, C, H_out, W_out) ndarray
    """
    pool = PoolSetup.parse(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    count_include_pad = _args.as_bool(count_include_pad, "count_include_pad")
    xp = pad(pool.x, pool.pads, 0.0)
    (kh, kw), (ho, wo) = pool.kernel, pool.out_spatial
    if ho == wo == 1:  # one window (a global average pool): one sum, not one pass per kernel tap
        total = xp[:, :, :kh, :kw].sum(axis=(2, 3), keepdims=True)
    else:
        total = np.zeros(pool.out_shape, dtype=pool.x.dtype)
        for tap in pool.taps():
            total += xp[pool.tap_slices(tap)]
    total /= pool.divisor(count_include_pad)
    return total


def avg_pool2d_backward(grad_out, x, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True) -> np.ndarray:
    """Gradient of ``sum(avg_pool2d(x, ...) * grad_out)`` with respect to ``x``.

    Parameters
    ----------
    grad_out : (N, C, H_out, W_out) array_like
        Must have the shape of ``avg_pool2d(x, ...)``.
    x : (N, C, H, W) array_like
    kernel_size, stride, padding, ceil_mode, count_include_pad
        The forward hyper-parameters.

    Returns
    -------
    grad_x : (N, C, H, W) ndarray
        Every sample of a window receives ``grad_out / divisor``; overlapping windows add up.
    """
    go = _grad_out(grad_out)
    pool = PoolSetup.parse(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d_backward", extra=go)
    _args.check_grad_out(go, pool.out_shape, "avg_pool2d")
    share = _args.cast(go, pool.x.dtype) / pool.divisor(_args.as_bool(count_include_pad, "count_include_pad"))
    gxp = np.zeros(pool.padded_shape, dtype=pool.x.dtype)
    (kh, kw), (ho, wo) = pool.kernel, pool.out_spatial
    if pool.stride == pool.kernel:
        # the windows tile the padded input: row a of every window gets its share, repeated along the row
        rows = np.repeat(share, kw, axis=3)  # (N, C, H_out, W_out·kW)
        for a in range(kh):
            gxp[:, :, a:ho * kh:kh, :wo * kw] = rows
    else:
        for tap in pool.taps():
            gxp[pool.tap_slices(tap)] += share
    return np.ascontiguousarray(crop(gxp, pool.pads, pool.x.shape[2:]))
