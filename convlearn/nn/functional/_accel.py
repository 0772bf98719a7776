"""Accelerators of the convolutions: faster ways to compute what :mod:`~convlearn.nn.functional.conv`'s
readable fast path computes, behind one dispatch (:func:`select`).

Nothing here is needed for correctness: with ``ENABLED = False`` every convolution runs the readable fast
path (im2col + GEMM, the depthwise tap loop) of :mod:`~convlearn.nn.functional.conv`, and the tests check
each accelerator against it and against the loops of :mod:`~convlearn.nn.functional.reference`.

The accelerators:

* ``"flat"`` -- the flat view of a stride-1 convolution (:class:`FlatGrid`): every kernel tap is one long
  contiguous slice of the flattened padded input instead of one short row at a time. Used by the
  stride-1 depthwise convolution (forward and both gradients), by the stride-1 input gradient
  (col2im, when it adds more rows than it copies) and by the im2col of stride-1 forward passes with short
  output rows (``"flat_gemm"``).
* ``"kernel_rows"`` -- 2-D convolutions with a few input channels: im2col along the rows only and one
  product per kernel row (:func:`kernel_rows_gemm`), ``kH`` times less copying than im2col; also their
  weight gradient (:func:`kernel_rows_weight_grad`).
* ``"rows"`` -- stride-1 depthwise 2-D convolutions of narrow images as one GEMM per channel with a
  row-Toeplitz matrix of the weights (:func:`depthwise_rows`); also their input gradient.

Besides, :func:`images_per_block` tells the convolutions how many images to take at a time.

Every threshold below is a named constant, with the measurement that chose it (one thread, NumPy 2.4
with OpenBLAS, float32 and float64, the shapes of ``benchmarks/bench_conv.py``).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._args import is_depthwise
from .geometry import dilated_extent, strided_span
from .im2col import pad, with_bias, zeroed

__all__ = ["ENABLED", "FlatGrid", "images_per_block", "select", "forward", "weight_grad", "input_grad",
           "depthwise_rows", "kernel_rows_gemm", "kernel_rows_weight_grad"]

#: Master switch: False runs the readable fast path of ``conv.py`` everywhere (the same numbers up to rounding; the
#: tests compare the two).
ENABLED = True

#: Output rows at most this long make the strided im2col copy slow (one short inner loop per output row), so
#: stride-1 forward passes then build their columns on the flat view. Measured on the im2col + GEMM of a
#: 32 → 32 channel 3×3 convolution, batch 32 (time flat / strided, float32 and float64): W_out = 4: 0.80 and
#: 0.90, W_out = 6: 0.81 and 0.88, W_out = 8: 1.19 and 1.19, W_out >= 12: 0.93 to 2.2. Beyond that, the wasted
#: wrap-around columns, ``(P_W - W_out) / P_W`` of the work, cost more than the short copies save.
SHORT_ROW = 6

#: Range of ``C_in·kW`` (the inner dimension of its products) in which :func:`kernel_rows_gemm` replaces im2col +
#: GEMM for ``groups=1`` 2-D convolutions with vertical stride 1. Below ~30 the products are too thin: measured
#: on whole batches (time kernel rows / im2col, float32 and float64, no padding), 3×3 kernels on 16×16 images,
#: batch 32: C_in·kW = 12: 0.98 and 1.27, 24: 0.91 and 1.10; and the benchmark's 3 → 32 channel case
#: (C_in·kW = 9): 1.47 and 1.87. The upper end was measured with batch blocks of 8 images
#: (:data:`BATCH_BLOCK_BYTES`), forward and weight gradient (:func:`kernel_rows_weight_grad`, stride 1), float32
#: and float64: 48: 0.92 and 0.96 / 0.79 and 0.88, 80 (5×5 on 12×12, batch 64): 0.70 and 0.86 / 0.74 and 0.84,
#: 96 (3×3, 32 → 32 with dilation 2 and 32 → 64): 0.82-0.95 and 0.84-0.88 / 0.80-0.90 and 0.85-0.87, 192 (3×3,
#: 64 → 64 on 16×16; 1.02 and 1.00 for the forward on 8×8 images): 0.86 and 0.87 / 0.82 and 0.88, 384 (3×3,
#: 128 → 128 on 8×8): 1.01 and 0.95 / 0.92 and 0.86.
KERNEL_ROWS_MIN_K = 32
KERNEL_ROWS_MAX_K = 256

#: Widest input rows (before padding) for which :func:`depthwise_rows` is used: its GEMM multiplies by
#: ``kH·W`` weights per output of which only ``kH·kW`` are non-zero, so it pays only while ``W`` is small.
#: Measured on a 64-channel 3×3 depthwise convolution, batch 32 (time rows / flat tap loop, float32 and
#: float64): W = 8: 0.88 and 0.45, W = 16: 0.56 and 0.42, W = 32: 0.59 and 0.94, W = 48: 0.95 and 1.39,
#: W = 64: 1.75 and 1.68.
ROWS_MAX_W = 32

#: Elements of the running sums per block of images in the flat depthwise tap loop: 48 000 elements (~190 kB in
#: float32, ~380 kB in float64) keep a block and its scratch copy in a 512 kB L2 cache. Measured on the
#: depthwise case of ``benchmarks/bench_conv.py``: no budget from 8 000 to 192 000 was faster in both dtypes
#: by more than the noise of the (shared) machine, while no blocking at all was 1.44× slower in float64.
FLAT_BLOCK = 48_000

#: Elements of the row windows copied per block of channels in :func:`depthwise_rows`. Measured on the
#: depthwise case of ``benchmarks/bench_conv.py`` (time relative to 64 000, float32 and float64): 16 000: 1.12
#: and 1.8, 32 000: 0.97 and 1.14, 128 000: 3.3 and 1.09, 256 000: 7.4 and 2.0.
ROWS_BLOCK = 64_000


#: Bytes of im2col columns (``C_in·K·L`` numbers per image) per block of images: the GEMM paths work on a few
#: images at a time, so that a block's columns are still in cache when the product reads them (and its input-
#: gradient columns when col2im adds them back), instead of making one pass through memory per step over the
#: whole batch. Measured on the benchmark's non-depthwise cases (time of forward, weight gradient, input
#: gradient per block size; float32 and float64): the 32 → 64 channel 3×3 cases (295 kB of float32 columns per
#: image) were fastest with 4-8 images per block, 8-29% (float64 up to 55%) faster than the whole batch, and 1
#: image per block was slower than the whole batch; the small-image cases (50-110 kB per image) were fastest
#: with 8 images to the whole batch. About 2.4 MB per block is near the best of every case, in blocks of equal
#: size; but the float32 small-image cases (3.3-3.7 MB of columns for the whole batch) ran 10-18% slower in two
#: blocks than in one, so batches with less than BATCH_BLOCK_MIN_BYTES of columns are not split.
BATCH_BLOCK_BYTES = 2_400_000
BATCH_BLOCK_MIN_BYTES = 5_000_000


def images_per_block(x_shape, w_shape, groups: int, out_spatial, itemsize: int) -> int:
    """Images per block for a convolution of an input of ``x_shape``, within a budget in bytes (see
    :data:`BATCH_BLOCK_BYTES`); the whole batch when blocking is off or the convolution is depthwise (whose tap
    loops block on their own)."""
    n = x_shape[0]
    if not ENABLED or is_depthwise(x_shape[1], w_shape[0], groups):
        return n
    per_image = x_shape[1] * math.prod(w_shape[2:]) * math.prod(out_spatial) * itemsize
    if n * per_image < BATCH_BLOCK_MIN_BYTES:
        return n
    blocks = -(-n // max(1, BATCH_BLOCK_BYTES // max(1, per_image)))
    return -(-n // blocks)  # equal blocks


def select(op: str, x_shape, w_shape, stride, dilation, groups: int, out_spatial=None) -> str | None:
    """The accelerator used for ``op`` (``"forward"``, ``"weight_grad"`` or ``"input_grad"``), or None.

    ``x_shape`` is the shape of the (unpadded) input of the convolution, ``w_shape`` that of its weight
    ``(C_out, C_in/groups, *kernel)``; ``out_spatial`` (forward only) its output sizes.
    """
    if not ENABLED:
        return None
    kernel = tuple(w_shape[2:])
    stride_1 = all(s == 1 for s in stride)
    depthwise = is_depthwise(x_shape[1], w_shape[0], groups)
    rows = stride_1 and depthwise and len(x_shape) == 4 and x_shape[3] <= ROWS_MAX_W
    if op == "forward":
        if rows:
            return "rows"
        if stride_1 and depthwise:
            return "flat"
        if stride_1 and out_spatial[-1] <= SHORT_ROW and math.prod(kernel) > 1:
            return "flat_gemm"
        if stride[0] == 1 and _kernel_rows_fit(kernel, groups, w_shape[1]):
            return "kernel_rows"
        return None
    if not stride_1:
        return None
    if op == "weight_grad":
        if depthwise:
            return "flat"
        if _kernel_rows_fit(kernel, groups, w_shape[1]):
            return "kernel_rows"
        return None
    if op == "input_grad":
        if rows:
            return "rows"
        return "flat" if depthwise or _flat_col2im_pays(w_shape, groups) else None
    raise ValueError(f"unknown op {op!r}")


def _flat_col2im_pays(w_shape, groups: int) -> bool:
    """Whether the flat input gradient beats im2col's: it copies ``grad_out`` into the flat layout (``C_out/G``
    rows per group, :meth:`FlatGrid.to_virtual`) so that col2im adds ``C_in/G·K`` long contiguous rows instead of
    short strided ones; that pays only when the rows added outnumber the rows copied. Measured on the benchmark's
    3 → 32 channel 3×3 case (27 rows added, 32 copied; time flat / im2col's col2im): 1.18 in float32, 1.25 in
    float64; with 9-25 times more rows added than copied the flat path was 0.78-1.04."""
    return w_shape[0] // groups < w_shape[1] * math.prod(w_shape[2:])


def _kernel_rows_fit(kernel, groups: int, c_in_per_group: int) -> bool:
    """2-D, ``groups=1``, more than one kernel row and ``C_in·kW`` in the measured window (see above)."""
    return (len(kernel) == 2 and groups == 1 and kernel[0] > 1
            and KERNEL_ROWS_MIN_K <= c_in_per_group * kernel[1] <= KERNEL_ROWS_MAX_K)


def forward(x, weight, pads, stride, dilation, groups: int, out_spatial, out=None, bias=None):
    """Cross-correlation of ``x (N, C_in, *S)`` zero-padded by ``pads`` with ``weight``, plus ``bias`` if given;
    None if no accelerator applies. Returns ``(N, C_out, *out_spatial)``, ``out`` when given and the GEMM paths
    write it."""
    how = select("forward", x.shape, weight.shape, stride, dilation, groups, out_spatial)
    if how == "rows":
        return depthwise_rows(x, weight, pads, dilation, out_spatial, bias)
    if how == "flat":
        return _depthwise_flat(pad(x, pads), weight, dilation, out_spatial, bias)
    if how == "flat_gemm":
        return _gemm_flat(pad(x, pads), weight, dilation, groups, out_spatial, out, bias)
    if how == "kernel_rows":
        return kernel_rows_gemm(pad(x, pads), weight, stride, dilation, out_spatial, out, bias)
    return None


def weight_grad(xp, grad_out, kernel, stride, dilation, groups: int):
    """∂/∂W of ``sum(conv(xp, W) * grad_out)`` for the padded input ``xp``; None if no accelerator applies."""
    w_shape = (grad_out.shape[1], xp.shape[1] // groups) + tuple(kernel)
    how = select("weight_grad", xp.shape, w_shape, stride, dilation, groups)
    if how == "flat":
        return _depthwise_weight_grad_flat(xp, grad_out, kernel, dilation)
    if how == "kernel_rows":
        return kernel_rows_weight_grad(xp, grad_out, kernel, dilation)
    return None


def input_grad(grad_out, weight, stride, dilation, groups: int, padded_shape, out=None):
    """∂/∂xp of ``sum(conv(xp, W) * grad_out)``, an array of ``padded_shape`` (``out`` when given, except for the
    depthwise paths); None if no accelerator applies."""
    how = select("input_grad", grad_out.shape, weight.shape, stride, dilation, groups)
    if how is None:
        return None
    if is_depthwise(padded_shape[1], grad_out.shape[1], groups):
        # gather instead of scatter: the gradient of a stride-1 depthwise correlation is the "full"
        # correlation of grad_out with the flipped kernel, whose output is exactly the padded input's shape
        nd = len(padded_shape) - 2
        reach = tuple((dilated_extent(k, d) - 1,) * 2 for k, d in zip(weight.shape[2:], dilation, strict=True))
        flipped = weight[(slice(None), slice(None)) + (slice(None, None, -1),) * nd]
        if how == "rows":
            return depthwise_rows(grad_out, flipped, reach, dilation, tuple(padded_shape[2:]))
        return _depthwise_flat(pad(grad_out, reach), flipped, dilation, tuple(padded_shape[2:]))
    return _input_grad_flat(grad_out, weight, dilation, groups, padded_shape, out)


# ----------------------------------------------------------------------------------------------------------------
# "flat": the flat view of a stride-1 convolution
# ----------------------------------------------------------------------------------------------------------------
class FlatGrid:
    """The flat view of a stride-1 convolution on a padded spatial shape ``P``.

    With stride 1, kernel tap ``m`` of output position ``o`` reads the padded input at flat (row-major) index

        Σ_i (o_i + m_i d_i) st_i = off(m) + t(o),   t(o) = Σ_i o_i st_i,

    where ``st`` are the row-major strides of ``P``. So if ``t`` runs over the *whole* range ``0 .. t_max``
    (``t_max = t(O - 1)``), every tap is ONE contiguous slice ``x_flat[off(m) : off(m) + Lv]`` of the flattened
    padded input: long, fast inner loops instead of one short row at a time. The price: positions ``t`` that
    are not of the form ``t(o)`` (the ``P_W - W_out`` "wrap-around" columns at the end of each row) are
    computed too and thrown away (:meth:`from_virtual`), and must carry a zero gradient in backward passes
    (:meth:`to_virtual`).
    """

    def __init__(self, padded_spatial, kernel, dilation, out_spatial):
        self.padded_spatial = tuple(padded_spatial)
        self.kernel = tuple(kernel)
        self.dilation = tuple(dilation)
        self.out_spatial = tuple(out_spatial)
        st = []
        acc = 1
        for n in reversed(self.padded_spatial):
            st.append(acc)
            acc *= n
        self.st = tuple(reversed(st))
        self.size = acc  # prod(P)
        self.length = sum((o - 1) * s for o, s in zip(self.out_spatial, self.st, strict=True)) + 1  # Lv
        self.offsets = [
            sum(m * d * s for m, d, s in zip(tap, self.dilation, self.st, strict=True))
            for tap in itertools.product(*(range(k) for k in self.kernel))
        ]

    def cols(self, xp: np.ndarray, groups: int = 1, ones: bool = False) -> np.ndarray:
        """Columns ``(N, G, C/G·K, Lv)`` of the padded input, one contiguous copy of a strided view of the flat
        input; with ``ones``, a row of ones below each group's (``C/G·K + 1`` rows: the bias's, as in
        :func:`~convlearn.nn.functional.im2col.unfold_with_ones`)."""
        n, c = xp.shape[:2]
        xf = np.ascontiguousarray(xp).reshape(n, groups, c // groups, self.size)
        item = xf.itemsize
        view = as_strided(
            xf,
            shape=(n, groups, c // groups) + self.kernel + (self.length,),
            strides=xf.strides[:3] + tuple(d * s * item for d, s in zip(self.dilation, self.st, strict=True))
            + (item,),
            writeable=False,
        )
        rows = c // groups * len(self.offsets)
        if not ones:
            return view.reshape(n, groups, rows, self.length)
        cols = np.empty((n, groups, rows + 1, self.length), dtype=xp.dtype)
        cols[:, :, :rows].reshape(view.shape)[...] = view  # splitting axes never copies: a view of ``cols``
        cols[:, :, rows] = 1
        return cols

    def from_virtual(self, yv: np.ndarray) -> np.ndarray:
        """View ``(N, C, *out_spatial)`` of the valid positions of ``yv : (N, C, Lv)`` (C-contiguous last axis)."""
        item = yv.itemsize
        return as_strided(yv, shape=yv.shape[:2] + self.out_spatial,
                          strides=yv.strides[:2] + tuple(s * item for s in self.st))

    def to_virtual(self, g: np.ndarray) -> np.ndarray:
        """``(N, C, Lv)`` array holding ``g : (N, C, *out_spatial)`` at the valid positions, zeros elsewhere."""
        gv = np.zeros(g.shape[:2] + (self.length,), dtype=g.dtype)
        self.from_virtual(gv)[...] = g
        return gv


def _block_by_elements(elements_each: int, element_budget: int) -> int:
    """Items (images or channels) per block so that a block of ``elements_each`` array elements per item stays
    within ``element_budget`` elements (a count of elements, unlike :func:`images_per_block`'s byte budget)."""
    return max(1, element_budget // max(1, elements_each))


def _depthwise_flat(xp, weight, dilation, out_spatial, bias=None):
    """Stride-1 depthwise correlation of the padded ``xp``, plus ``bias`` if given: one contiguous multiply-add per
    kernel tap, a few images at a time so that the running sums stay in cache."""
    n, c = xp.shape[:2]
    grid = FlatGrid(xp.shape[2:], weight.shape[2:], dilation, out_spatial)
    xf = np.ascontiguousarray(xp).reshape(n, c, grid.size)
    w = weight.reshape(c, -1)
    length = grid.length
    yv = np.empty((n, c, length), dtype=xp.dtype)
    step = _block_by_elements(c * length, FLAT_BLOCK)
    scratch = np.empty((min(step, n), c, length), dtype=xp.dtype)
    for n0 in range(0, n, step):
        yb, xb = yv[n0:n0 + step], xf[n0:n0 + step]
        sb = scratch[: len(yb)]
        for t, off in enumerate(grid.offsets):
            np.multiply(xb[:, :, off:off + length], w[:, t, None], out=yb if t == 0 else sb)
            if t:
                yb += sb
        if bias is not None:  # while the block is in cache
            yb += bias[:, None]
    return np.ascontiguousarray(grid.from_virtual(yv))


def _depthwise_weight_grad_flat(xp, grad_out, kernel, dilation):
    n, c = xp.shape[:2]
    grid = FlatGrid(xp.shape[2:], kernel, dilation, grad_out.shape[2:])
    gv = grid.to_virtual(grad_out)  # zero at the wrap-around positions: they are not outputs
    xf = np.ascontiguousarray(xp).reshape(n, c, grid.size)
    length = grid.length
    gw = np.empty((c, len(grid.offsets)), dtype=xp.dtype)
    for t, off in enumerate(grid.offsets):  # one fused multiply-and-sum per tap, no temporary
        gw[:, t] = np.einsum("ncl,ncl->c", xf[:, :, off:off + length], gv)
    return gw.reshape((c, 1) + tuple(kernel))


def _gemm_flat(xp, weight, dilation, groups, out_spatial, out=None, bias=None):
    """im2col + GEMM on the flat view (plus ``bias`` if given, in the product): worth its wasted wrap-around columns
    only when output rows are short."""
    n = xp.shape[0]
    c_out = weight.shape[0]
    grid = FlatGrid(xp.shape[2:], weight.shape[2:], dilation, out_spatial)
    cols = grid.cols(xp, groups, ones=bias is not None)  # (N, G, C_in/G*K (+1), Lv)
    yv = np.matmul(with_bias(weight.reshape(groups, c_out // groups, -1), bias), cols)
    y = grid.from_virtual(yv.reshape(n, c_out, grid.length))
    if out is None:
        return np.ascontiguousarray(y)
    out[...] = y
    return out


def _input_grad_flat(grad_out, weight, dilation, groups, padded_shape, out=None):
    """col2im with long contiguous adds: one per kernel tap over the whole flattened (virtual) output."""
    n, c_out = grad_out.shape[:2]
    c_in = padded_shape[1]
    grid = FlatGrid(padded_shape[2:], weight.shape[2:], dilation, grad_out.shape[2:])
    gv = grid.to_virtual(grad_out)  # zero at the wrap-around positions: they are not outputs
    length = grid.length
    gxf = zeroed(out, padded_shape, grad_out.dtype).reshape(n, c_in, grid.size)
    wg = weight.reshape(groups, c_out // groups, -1)  # (G, C_out/G, C_in/G*K)
    dcols = np.matmul(wg.swapaxes(-1, -2), gv.reshape(n, groups, c_out // groups, length))
    dcols = dcols.reshape(n, c_in, len(grid.offsets), length)
    for t, off in enumerate(grid.offsets):
        gxf[:, :, off:off + length] += dcols[:, :, t]
    return gxf.reshape(padded_shape) if out is None else out


# ----------------------------------------------------------------------------------------------------------------
# "kernel_rows": im2col along the rows only, one product per kernel row
# ----------------------------------------------------------------------------------------------------------------
def kernel_rows_gemm(xp, weight, stride, dilation, out_spatial, out=None, bias=None):
    """2-D correlation of the padded ``xp (N, C_in, P_H, P_W)`` with ``weight (C_out, C_in, kH, kW)`` (``groups=1``,
    vertical stride 1), plus ``bias`` if given. Returns ``(N, C_out, H_out, W_out)``, ``out`` (C-contiguous) when
    given.

    im2col copies every window, ``kH·kW`` samples per output. Copying only the ``kW`` taps of each *row*,
    ``A[n, (c, b), r, j] = xp[n, c, r, j s_W + b d_W]`` (``kW`` samples per input row and output column), is
    enough: kernel row ``a`` of output row ``i`` reads row ``r = i + a d_H`` of ``A``, so with ``A`` laid out as
    ``(N, C_in·kW, P_H·W_out)`` its columns for kernel row ``a`` are the contiguous range starting at
    ``a d_H W_out`` -- a plain matrix, no copy -- and

        y[n] = Σ_a W[:, :, a, :] (C_out, C_in·kW) @ A[n][:, a d_H W_out : a d_H W_out + H_out W_out].

    ``kH`` thinner products instead of one, for ``kH`` times less copying. The bias rides in the first: a row of ones
    below ``A`` and the bias as one more column of ``W[:, :, 0, :]``.
    """
    n, c, hp, _ = xp.shape
    c_out, _, kh, kw = weight.shape
    h_out, w_out = out_spatial
    s_w = stride[1]
    d_h, d_w = dilation
    rows = c * kw
    a = np.empty((n, rows + (bias is not None), hp * w_out), dtype=xp.dtype)
    taps = a[:, :rows].reshape(n, c, kw, hp, w_out)  # splitting axes never copies: a view of ``a``
    for b in range(kw):
        taps[:, :, b] = xp[:, :, :, b * d_w:b * d_w + strided_span(w_out, s_w):s_w]
    if bias is not None:
        a[:, rows] = 1
    w_rows = weight.transpose(2, 0, 1, 3).reshape(kh, c_out, rows)  # (kH, C_out, C_in·kW), columns as in A
    length = h_out * w_out
    into = None if out is None else out.reshape(n, c_out, length)
    y = np.matmul(with_bias(w_rows[:1], bias)[0], a[:, :, :length], out=into)  # (N, C_out, H_out·W_out)
    scratch = np.empty_like(y)
    for row in range(1, kh):
        start = row * d_h * w_out
        np.matmul(w_rows[row], a[:, :rows, start:start + length], out=scratch)
        y += scratch
    return y.reshape((n, c_out) + tuple(out_spatial)) if out is None else out


def kernel_rows_weight_grad(xp, grad_out, kernel, dilation):
    """∂/∂W of ``sum(kernel_rows_gemm(xp, W) * grad_out)`` for stride 1: ``(C_out, C_in, kH, kW)``.

    The same row matrix ``A`` as in :func:`kernel_rows_gemm`; kernel row ``a`` of the gradient is
    ``Σ_n grad_out[n] (C_out, H_out·W_out) @ A[n][:, a d_H W_out : ...]ᵀ``.
    """
    n, c, hp, _ = xp.shape
    c_out = grad_out.shape[1]
    kh, kw = kernel
    h_out, w_out = grad_out.shape[2:]
    d_h, d_w = dilation
    a = np.empty((n, c, kw, hp, w_out), dtype=xp.dtype)
    for b in range(kw):
        a[:, :, b] = xp[:, :, :, b * d_w:b * d_w + w_out]
    a = a.reshape(n, c * kw, hp * w_out)
    go = grad_out.reshape(n, c_out, h_out * w_out)
    length = h_out * w_out
    gw = np.empty((kh, c_out, c * kw), dtype=xp.dtype)
    for row in range(kh):
        start = row * d_h * w_out
        gw[row] = np.matmul(go, a[:, :, start:start + length].swapaxes(1, 2)).sum(axis=0)
    return np.ascontiguousarray(gw.reshape(kh, c_out, c, kw).transpose(1, 2, 0, 3))


# ----------------------------------------------------------------------------------------------------------------
# "rows": stride-1 depthwise 2-D convolutions of narrow images
# ----------------------------------------------------------------------------------------------------------------
def depthwise_rows(x, weight, pads, dilation, out_spatial, bias=None):
    """Stride-1 depthwise 2-D correlation of the *unpadded* ``x (N, C, H, W)``, plus ``bias`` if given. Returns
    ``(N, C, *out)``.

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
    h_out, w_out = out_spatial
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
    width = kh * wd + (bias is not None)  # with a bias: a column of ones in the windows, the bias below T
    if bias is not None:
        toeplitz = np.concatenate([toeplitz, np.broadcast_to(bias.reshape(c, 1, 1), (c, 1, w_out))], axis=1)
    rows = n * hp - (dilated_extent(kh, d_h) - 1)  # the last image's last valid output row is rows - 1
    flat = xt.reshape(c, n * hp * wd)
    item = flat.itemsize
    windows = as_strided(flat, shape=(c, rows, kh, wd), strides=(flat.strides[0], wd * item, d_h * wd * item, item),
                         writeable=False)
    y = np.empty((c, n * hp, w_out), dtype=x.dtype)
    step = _block_by_elements(rows * kh * wd, ROWS_BLOCK)
    cols = np.empty((min(step, c), rows, width), dtype=x.dtype)
    if bias is not None:
        cols[:, :, kh * wd] = 1
    for c0 in range(0, c, step):
        block = cols[:min(step, c - c0)]
        block[:, :, :kh * wd].reshape(len(block), rows, kh, wd)[...] = windows[c0:c0 + step]  # a view: axes split
        np.matmul(block, toeplitz[c0:c0 + step], out=y[c0:c0 + step, :rows])
    return np.ascontiguousarray(y.reshape(c, n, hp, w_out)[:, :, :h_out].transpose(1, 0, 2, 3))
