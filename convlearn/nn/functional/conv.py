"""Convolution layers' forward pass (fast path): ``conv1d``, ``conv2d``, ``conv3d``.

CNN "convolution" is cross-correlation, as in PyTorch:

    y[n, o, i, j] = b[o] + Σ_c Σ_m Σ_q x_pad[n, g·C_in/G + c, i·s_H + m·d_H, j·s_W + q·d_W] · W[o, c, m, q]

where ``g`` is the group of output channel ``o``. One implementation serves 1, 2 and 3 spatial axes:

* general case -- im2col + one batched matrix product: ``W (G, C_out/G, C_in/G·K) @ cols (N, G, C_in/G·K, L)``
  (``np.matmul`` broadcasts over the batch), which lands directly in the ``(N, C_out, *out)`` layout;
* depthwise (``groups == C_in == C_out``) -- a loop over the K kernel taps, each one multiply-add of a
  shifted, strided slice of the input by a per-channel weight (the GEMMs would be 1×K×L, far too thin); with
  stride 1 the slices are taken on the flattened input (``_flat.FlatGrid``) so that they are long and contiguous;
  2-D stride-1 depthwise convolutions of narrow images (``W <= _ROWS_MAX_W``) are instead one GEMM per channel
  with a row-Toeplitz matrix of the weights (:func:`_depthwise_rows`), also used for their input gradient.

The input gradient (col2im of ``Wᵀ @ grad_out``) also uses the flat view when the stride is 1, and so does
im2col when the output rows are short (the wasted wrap-around columns cost less than the short copies).

The backward passes (``backward.py``) and the transposed convolution reuse the three cores below.

The readable loops are in :mod:`convlearn.nn.functional.reference`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import _args
from ._flat import FlatGrid
from .geometry import dilated_extent
from .im2col import pad, tap_slices, unfold

__all__ = ["conv1d", "conv2d", "conv3d"]

#: Use the flat view (``_flat.FlatGrid``) for stride-1 depthwise convolutions and stride-1 input gradients;
#: False selects the strided-slice tap loops everywhere (same numbers; used to compare the two).
USE_FLAT = True
#: Output rows at most this long make the strided im2col copy slow (one short inner loop per row): stride-1
#: forward passes then build their columns on the flat view instead.
_SHORT_ROW = 8


@dataclass(frozen=True)
class ConvSetup:
    """Checked, normalised arguments of one N-d convolution (internal)."""

    x: np.ndarray
    weight: np.ndarray
    bias: np.ndarray | None
    stride: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    groups: int
    out_shape: tuple[int, ...]

    @property
    def kernel(self) -> tuple[int, ...]:
        return tuple(self.weight.shape[2:])

    @property
    def padded_shape(self) -> tuple[int, ...]:
        return self.x.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(self.x.shape[2:], self.pads, strict=True))

    @property
    def output_shape(self) -> tuple[int, ...]:
        return (self.x.shape[0], self.weight.shape[0]) + self.out_shape


def setup(x, weight, bias, stride, padding, dilation, groups, nd: int, extra_dtype=None) -> ConvSetup:
    """Validate the arguments of an ``nd``-d convolution (see :func:`conv2d`) and cast to the result dtype."""
    x = _args.as_array(x, "x", nd)
    weight = _args.as_array(weight, "weight", nd, _args._WEIGHT_LAYOUTS.get(nd))
    groups = _args.groups_int(groups)
    c_out = _args.check_conv_channels(x.shape, weight.shape, groups, nd)
    bias = _args.as_bias(bias, "bias", c_out, weight.shape)
    stride = _args.int_tuple(stride, nd, "stride", 1)
    dilation = _args.int_tuple(dilation, nd, "dilation", 1)
    kernel = tuple(weight.shape[2:])
    pads = _args.conv_padding(padding, nd, kernel, stride, dilation)
    _args.check_kernel_fits(x.shape, kernel, dilation, pads, w_shape=weight.shape)
    out_shape = _args.out_shape(x.shape[2:], kernel, stride, pads, dilation)
    dtype = _args.common_dtype(x, weight, bias, *(() if extra_dtype is None else (extra_dtype,)))
    return ConvSetup(_args.cast(x, dtype), _args.cast(weight, dtype), _args.cast(bias, dtype), stride, pads, dilation,
                     groups, out_shape)


def is_depthwise(c_in: int, c_out: int, groups: int) -> bool:
    """``groups == C_in == C_out`` (> 1): one filter per channel."""
    return groups > 1 and groups == c_in == c_out


def taps(kernel):
    return itertools.product(*(range(k) for k in kernel))


# ----------------------------------------------------------------------------------------------------------------
# Cores on already-padded inputs (shared by forward, backward and transposed convolutions)
# ----------------------------------------------------------------------------------------------------------------
def forward_core(xp: np.ndarray, weight: np.ndarray, stride, dilation, groups: int, out_shape) -> np.ndarray:
    """Cross-correlate the padded input ``xp (N, C_in, *P)`` with ``weight``; no bias. Returns ``(N, C_out, *out)``."""
    n, c_in = xp.shape[:2]
    c_out = weight.shape[0]
    kernel = weight.shape[2:]
    nd = len(kernel)
    if USE_FLAT and all(v == 1 for v in stride):
        if is_depthwise(c_in, c_out, groups):
            return _forward_flat(xp, weight, dilation, out_shape)
        if out_shape[-1] <= _SHORT_ROW and int(np.prod(kernel)) > 1:
            return _forward_flat_gemm(xp, weight, dilation, groups, out_shape)
    if is_depthwise(c_in, c_out, groups):
        y = np.zeros((n, c_out) + tuple(out_shape), dtype=xp.dtype)
        scratch = np.empty_like(y)
        w = weight.reshape(c_out, -1)
        for t, tap in enumerate(taps(kernel)):
            np.multiply(xp[tap_slices(tap, stride, dilation, out_shape)], w[:, t].reshape((c_out,) + (1,) * nd),
                        out=scratch)
            y += scratch
        return y
    cols = unfold(xp, kernel, stride, dilation, out_shape)  # (N, C_in*K, L)
    ll = cols.shape[-1]
    y = np.matmul(weight.reshape(groups, c_out // groups, -1), cols.reshape(n, groups, -1, ll))  # (N, G, C_out/G, L)
    return y.reshape((n, c_out) + tuple(out_shape))


def weight_grad_core(xp: np.ndarray, grad_out: np.ndarray, kernel, stride, dilation, groups: int) -> np.ndarray:
    """∂/∂W of ``sum(forward_core(xp, W) * grad_out)``: shape ``(C_out, C_in/G, *kernel)``."""
    n, c_in = xp.shape[:2]
    c_out = grad_out.shape[1]
    out_shape = grad_out.shape[2:]
    if USE_FLAT and all(v == 1 for v in stride) and is_depthwise(c_in, c_out, groups):
        return _weight_grad_flat(xp, grad_out, kernel, dilation)
    if is_depthwise(c_in, c_out, groups):
        gw = np.empty((c_out, int(np.prod(kernel))), dtype=xp.dtype)
        axes = "uvw"[: len(kernel)]
        spec = f"nc{axes},nc{axes}->c"
        for t, tap in enumerate(taps(kernel)):  # a fused multiply-and-sum per tap
            gw[:, t] = np.einsum(spec, xp[tap_slices(tap, stride, dilation, out_shape)], grad_out)
        return gw.reshape((c_out, 1) + tuple(kernel))
    cols = unfold(xp, kernel, stride, dilation, out_shape)  # (N, C_in*K, L)
    ll = cols.shape[-1]
    go = grad_out.reshape(n, groups, c_out // groups, ll)
    cg = cols.reshape(n, groups, -1, ll)
    gw = np.matmul(go, cg.swapaxes(-1, -2)).sum(axis=0)  # per-image GEMMs (G, C_out/G, C_in/G*K), summed over N
    return gw.reshape((c_out, c_in // groups) + tuple(kernel))


def input_grad_core(grad_out: np.ndarray, weight: np.ndarray, stride, dilation, groups: int, padded_shape):
    """∂/∂xp of ``sum(forward_core(xp, W) * grad_out)``: an array of ``padded_shape`` (col2im of Wᵀ·grad_out)."""
    n, c_out = grad_out.shape[:2]
    c_in = padded_shape[1]
    kernel = tuple(weight.shape[2:])
    out_shape = tuple(grad_out.shape[2:])
    nd = len(kernel)
    if USE_FLAT and all(v == 1 for v in stride):
        return _input_grad_flat(grad_out, weight, dilation, groups, padded_shape)
    gxp = np.zeros(padded_shape, dtype=grad_out.dtype)
    if is_depthwise(c_in, c_out, groups):
        w = weight.reshape(c_out, -1)
        for t, tap in enumerate(taps(kernel)):
            gxp[tap_slices(tap, stride, dilation, out_shape)] += grad_out * w[:, t].reshape((c_out,) + (1,) * nd)
        return gxp
    ll = int(np.prod(out_shape))
    wg = weight.reshape(groups, c_out // groups, -1)  # (G, C_out/G, C_in/G*K)
    dcols = np.matmul(wg.swapaxes(-1, -2), grad_out.reshape(n, groups, c_out // groups, ll))  # (N, G, C_in/G*K, L)
    dcols = dcols.reshape((n, c_in) + kernel + out_shape)
    for tap in taps(kernel):
        gxp[tap_slices(tap, stride, dilation, out_shape)] += dcols[(slice(None), slice(None)) + tap + (Ellipsis,)]
    return gxp


def _batch_block(per_image: int, budget: int = 48_000) -> int:
    """Images per block so that a block of ``per_image`` elements per image stays within a cache-sized budget."""
    return max(1, budget // max(1, per_image))


# Depthwise, stride 1: the flat view (see ``_flat``): every kernel tap is one contiguous slice of the flattened
# input, and the batch is processed a few images at a time so that the running sums stay in cache.
def _forward_flat(xp, weight, dilation, out_shape):
    n, c = xp.shape[:2]
    grid = FlatGrid(xp.shape[2:], weight.shape[2:], dilation, out_shape)
    xf = np.ascontiguousarray(xp).reshape(n, c, grid.size)
    w = weight.reshape(c, -1)
    length = grid.length
    yv = np.empty((n, c, length), dtype=xp.dtype)
    step = _batch_block(c * length)
    scratch = np.empty((min(step, n), c, length), dtype=xp.dtype)
    for n0 in range(0, n, step):
        yb, xb = yv[n0:n0 + step], xf[n0:n0 + step]
        sb = scratch[: len(yb)]
        for t, off in enumerate(grid.offsets):
            np.multiply(xb[:, :, off:off + length], w[:, t, None], out=yb if t == 0 else sb)
            if t:
                yb += sb
    return np.ascontiguousarray(grid.from_virtual(yv))


# Depthwise, stride 1, 2-D, narrow images: one GEMM per channel on a row-Toeplitz ("banded") weight matrix.
#: Widest input rows (before padding) for which :func:`_depthwise_rows` is used: its GEMM multiplies by
#: ``kH·W`` weights per output of which only ``kH·kW`` are non-zero, so it pays only while ``W`` is small.
_ROWS_MAX_W = 32


def _use_rows(x_shape, w_shape, stride, groups) -> bool:
    return (USE_FLAT and len(x_shape) == 4 and all(v == 1 for v in stride)
            and is_depthwise(x_shape[1], w_shape[0], groups) and x_shape[3] <= _ROWS_MAX_W)


def _depthwise_rows(x, weight, pads, dilation, out_shape):
    """Stride-1 depthwise 2-D correlation of the *unpadded* ``x (N, C, H, W)``; no bias. Returns ``(N, C, *out)``.

    Row ``i`` of the output of channel ``c`` is ``Σ_a x_padH[c, i + a d_H, :] @ T[c, a]``, where the Toeplitz
    matrix ``T[c, a] (W, W_out)`` holds ``weight[c, 0, a, b]`` at ``(j + b d_W - p_left, j)`` (entries that would
    fall in the left/right padding are left out, which is the zero padding along W). Stacking the images of one
    channel on top of each other (channel-major layout), the ``kH`` input rows of every output row are ``kH·W``
    consecutive numbers (for ``d_H = 1``), and a channel's whole output is one GEMM ``(rows, kH·W) @ (kH·W, W_out)``
    on one copy of these windows; the rows that straddle two images are computed and dropped.
    """
    n, c, h, wd = x.shape
    kh, kw = weight.shape[2:]
    (p_top, p_bottom), (p_left, _) = pads
    d_h, d_w = dilation
    h_out, w_out = out_shape
    hp = h + p_top + p_bottom
    xt = np.zeros((c, n, hp, wd), dtype=x.dtype)
    xt[:, :, p_top:p_top + h] = x.transpose(1, 0, 2, 3)
    toeplitz = np.zeros((c, kh, wd, w_out), dtype=x.dtype)
    j = np.arange(w_out)
    for b in range(kw):
        jp = j + b * d_w - p_left
        ok = (jp >= 0) & (jp < wd)
        toeplitz[:, :, jp[ok], j[ok]] = weight[:, 0, :, b, None]
    toeplitz = toeplitz.reshape(c, kh * wd, w_out)
    rows = n * hp - (dilated_extent(kh, d_h) - 1)  # the last image's last valid output row is rows - 1
    flat = xt.reshape(c, n * hp * wd)
    item = flat.itemsize
    windows = as_strided(flat, shape=(c, rows, kh, wd), strides=(flat.strides[0], wd * item, d_h * wd * item, item),
                         writeable=False)
    y = np.empty((c, n * hp, w_out), dtype=x.dtype)
    step = _batch_block(rows * kh * wd, budget=64_000)
    for c0 in range(0, c, step):
        cols = np.ascontiguousarray(windows[c0:c0 + step]).reshape(-1, rows, kh * wd)
        np.matmul(cols, toeplitz[c0:c0 + step], out=y[c0:c0 + step, :rows])
    return np.ascontiguousarray(y.reshape(c, n, hp, w_out)[:, :, :h_out].transpose(1, 0, 2, 3))


def _forward_flat_gemm(xp, weight, dilation, groups, out_shape):
    """im2col + GEMM on the flat view: worth its wasted wrap-around columns only when output rows are short."""
    n = xp.shape[0]
    c_out = weight.shape[0]
    grid = FlatGrid(xp.shape[2:], weight.shape[2:], dilation, out_shape)
    cols = grid.cols(xp)  # (N, C_in*K, Lv)
    yv = np.matmul(weight.reshape(groups, c_out // groups, -1), cols.reshape(n, groups, -1, grid.length))
    return np.ascontiguousarray(grid.from_virtual(yv.reshape(n, c_out, grid.length)))


def _weight_grad_flat(xp, grad_out, kernel, dilation):
    n, c = xp.shape[:2]
    grid = FlatGrid(xp.shape[2:], kernel, dilation, grad_out.shape[2:])
    gv = grid.to_virtual(grad_out)  # zero at the wrap-around positions: they are not outputs
    xf = np.ascontiguousarray(xp).reshape(n, c, grid.size)
    length = grid.length
    gw = np.empty((c, len(grid.offsets)), dtype=xp.dtype)
    for t, off in enumerate(grid.offsets):  # one fused multiply-and-sum per tap, no temporary
        gw[:, t] = np.einsum("ncl,ncl->c", xf[:, :, off:off + length], gv)
    return gw.reshape((c, 1) + tuple(kernel))


def _input_grad_flat(grad_out, weight, dilation, groups, padded_shape):
    """col2im with long contiguous adds: one per kernel tap over the whole flattened (virtual) output."""
    n, c_out = grad_out.shape[:2]
    c_in = padded_shape[1]
    if is_depthwise(c_in, c_out, groups):
        # gather instead of scatter: the gradient of a stride-1 depthwise correlation is the "full"
        # correlation of grad_out with the flipped kernel, whose output is exactly the padded input's shape
        nd = len(padded_shape) - 2
        reach = [dilated_extent(k, d) - 1 for d, k in zip(dilation, weight.shape[2:], strict=True)]
        flipped = weight[(slice(None), slice(None)) + (slice(None, None, -1),) * nd]
        if _use_rows(grad_out.shape, weight.shape, (1,) * nd, groups):
            return _depthwise_rows(grad_out, flipped, tuple((r, r) for r in reach), dilation, tuple(padded_shape[2:]))
        return _forward_flat(pad(grad_out, tuple((r, r) for r in reach)), flipped, dilation, tuple(padded_shape[2:]))
    grid = FlatGrid(padded_shape[2:], weight.shape[2:], dilation, grad_out.shape[2:])
    gv = grid.to_virtual(grad_out)  # zero at the wrap-around positions: they are not outputs
    length = grid.length
    gxf = np.zeros((n, c_in, grid.size), dtype=grad_out.dtype)
    wg = weight.reshape(groups, c_out // groups, -1)  # (G, C_out/G, C_in/G*K)
    dcols = np.matmul(wg.swapaxes(-1, -2), gv.reshape(n, groups, c_out // groups, length))
    dcols = dcols.reshape(n, c_in, len(grid.offsets), length)
    for t, off in enumerate(grid.offsets):
        gxf[:, :, off:off + length] += dcols[:, :, t]
    return gxf.reshape(padded_shape)


def add_bias(y: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    if bias is not None:
        y += bias.reshape((1, -1) + (1,) * (y.ndim - 2))
    return y


def conv_nd(x, weight, bias, stride, padding, dilation, groups, nd: int) -> np.ndarray:
    s = setup(x, weight, bias, stride, padding, dilation, groups, nd)
    if _use_rows(s.x.shape, s.weight.shape, s.stride, s.groups):
        y = _depthwise_rows(s.x, s.weight, s.pads, s.dilation, s.out_shape)
    else:
        y = forward_core(pad(s.x, s.pads), s.weight, s.stride, s.dilation, s.groups, s.out_shape)
    return np.ascontiguousarray(add_bias(y, s.bias))


# ----------------------------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------------------------
_PARAMS_DOC = """stride : int or tuple of int, default 1
        Step between windows, per spatial axis.
    padding : int, tuple of int, "valid" or "same", default 0
        Zeros added on both sides of every spatial axis. ``"valid"`` means 0; ``"same"`` (stride 1 only)
        pads ``d (k - 1)`` in total so that the output has the input's size, the odd sample going after
        (right/bottom), as PyTorch does.
    dilation : int or tuple of int, default 1
        Spacing ``d`` between kernel taps (a dilated kernel spans ``d (k - 1) + 1`` samples).
    groups : int, default 1
        Split channels into ``groups`` independent convolutions; ``groups == C_in == C_out`` is depthwise.
"""


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """1-D convolution layer (cross-correlation), numerically equal to ``torch.nn.functional.conv1d``.

    Parameters
    ----------
    x : (N, C_in, L) array_like
    weight : (C_out, C_in/groups, k) array_like
    bias : (C_out,) array_like, optional
    <PARAMS>

    Returns
    -------
    y : (N, C_out, L_out) ndarray
        ``L_out = floor((L + 2p - d (k - 1) - 1) / s) + 1``; float32 if all inputs are float32, else float64.
    """
    return conv_nd(x, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """2-D convolution layer (cross-correlation), numerically equal to ``torch.nn.functional.conv2d``.

    ``y[n, o, i, j] = b[o] + Σ_c Σ_m Σ_q x_pad[n, c', i s_H + m d_H, j s_W + q d_W] W[o, c, m, q]`` with ``c'``
    the ``c``-th input channel of output channel ``o``'s group.

    Parameters
    ----------
    x : (N, C_in, H, W) array_like
    weight : (C_out, C_in/groups, kH, kW) array_like
    bias : (C_out,) array_like, optional
    <PARAMS>

    Returns
    -------
    y : (N, C_out, H_out, W_out) ndarray
        ``H_out = floor((H + 2p - d (k - 1) - 1) / s) + 1`` (and likewise ``W_out``); float32 if all inputs
        are float32, else float64.

    Raises
    ------
    ValueError
        Wrong number of axes, channels not matching ``groups``/``weight``, bias of the wrong shape, a
        (dilated) kernel larger than the padded input, stride/dilation < 1, negative padding, an unknown
        padding string, ``"same"`` with stride > 1, empty arrays.
    TypeError
        Complex or non-numeric arrays, non-integer hyper-parameters.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d(x, np.ones((1, 1, 2, 2))).shape
    (1, 1, 3, 3)
    """
    return conv_nd(x, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """3-D convolution layer (cross-correlation), numerically equal to ``torch.nn.functional.conv3d``.

    Parameters
    ----------
    x : (N, C_in, D, H, W) array_like
    weight : (C_out, C_in/groups, kD, kH, kW) array_like
    bias : (C_out,) array_like, optional
    <PARAMS>

    Returns
    -------
    y : (N, C_out, D_out, H_out, W_out) ndarray
    """
    return conv_nd(x, weight, bias, stride, padding, dilation, groups, 3)


for _f in (conv1d, conv2d, conv3d):
    _f.__doc__ = _f.__doc__.replace("<PARAMS>", _PARAMS_DOC.strip())
del _f
