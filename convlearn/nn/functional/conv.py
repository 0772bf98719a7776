"""Convolution layers, forward and backward (fast path): ``conv1d``/``2d``/``3d`` and their gradients.

CNN "convolution" is cross-correlation, as in PyTorch:

    y[n, o, i, j] = b[o] + Σ_c Σ_m Σ_q x_pad[n, g·C_in/G + c, i·s_H + m·d_H, j·s_W + q·d_W] · W[o, c, m, q]

where ``g`` is the group of output channel ``o``. One implementation serves 1, 2 and 3 spatial axes, in
two strategies, each written with its backward beside it:

* **im2col + GEMM** (general case): the windows of the padded input become the columns of a matrix
  ``cols (N, G, C_in/G·K, L)`` (:func:`~convlearn.nn.functional.im2col.unfold`) and the correlation is one
  batched matrix product ``W (G, C_out/G, C_in/G·K) @ cols``, which lands directly in the ``(N, C_out, *out)``
  layout. Its gradients are the two other products: ``∂L/∂W = G @ colsᵀ`` (summed over the batch) and
  ``∂L/∂x = col2im(Wᵀ @ G)``, each input sample collecting from every window that contains it.
* **the depthwise tap loop** (``groups == C_in == C_out``; the GEMMs would be 1×K×L, far too thin): one
  multiply-add per kernel tap of a shifted, strided slice of the input by a per-channel weight. Its
  gradients are the same loop with the roles exchanged: per tap, a multiply-and-sum for ``∂L/∂W`` and a
  multiply-add into the shifted slice for ``∂L/∂x``.

The bias rides in the forward's product: a row of ones below each group's columns and the bias as one more
column of the weights, ``[W | b] @ [cols; 1] = W @ cols + b``
(:func:`~convlearn.nn.functional.im2col.unfold_with_ones`), so that no pass of its own over the output is needed;
the tap loop starts its sums from the bias. The bias gradient is ``∂L/∂b[o] = Σ_{n, positions} G[n, o, ...]``.

Faster ways to compute some of these (stride 1: the flat view, depthwise row-GEMMs) are in
:mod:`convlearn.nn.functional._accel`, behind one dispatch; :func:`correlate`, :func:`correlate_weight_grad`
and :func:`correlate_input_grad` ask it first and fall back on the cores here. They also split a large batch
into blocks of a few images (:func:`~convlearn.nn.functional._accel.images_per_block`), so that each block's
columns are still in cache when they are used: the same numbers, fewer trips to memory. The readable loops are in
:mod:`convlearn.nn.functional.reference`.
"""

from __future__ import annotations

import math

import numpy as np

from . import _accel, _args
from .im2col import crop, pad, tap_slices, unfold, unfold_with_ones, with_bias, zeroed
from .setups import ConvSetup

__all__ = ["conv1d", "conv2d", "conv3d", "conv1d_backward", "conv2d_backward", "conv3d_backward"]


# ----------------------------------------------------------------------------------------------------------------
# The readable fast path: forward core and its two gradients, on already-padded inputs
# ----------------------------------------------------------------------------------------------------------------
def forward_core(xp: np.ndarray, weight: np.ndarray, stride, dilation, groups: int, out_spatial,
                 out: np.ndarray | None = None, bias: np.ndarray | None = None) -> np.ndarray:
    """Cross-correlate the padded input ``xp (N, C_in, *P)`` with ``weight`` and add ``bias`` (if any). Returns
    ``(N, C_out, *out)``, written into ``out`` (a C-contiguous array of that shape) when given (im2col + GEMM only)."""
    n, c_in = xp.shape[:2]
    c_out = weight.shape[0]
    kernel = weight.shape[2:]
    if _args.is_depthwise(c_in, c_out, groups):  # the tap loop, from the bias (or zero) on
        y = np.empty((n, c_out) + tuple(out_spatial), dtype=xp.dtype)
        y[...] = 0 if bias is None else bias.reshape((c_out,) + (1,) * len(kernel))
        scratch = np.empty_like(y)
        w = weight.reshape((c_out, -1) + (1,) * len(kernel))
        for t, tap in enumerate(np.ndindex(*kernel)):
            np.multiply(xp[tap_slices(tap, stride, dilation, out_spatial)], w[:, t], out=scratch)
            y += scratch
        return y
    if bias is None:
        cols = unfold(xp, kernel, stride, dilation, out_spatial)  # (N, C_in*K, L)
        cols = cols.reshape(n, groups, -1, cols.shape[-1])
    else:  # the bias as one more weight column, times a row of ones under each group's columns
        cols = unfold_with_ones(xp, kernel, stride, dilation, out_spatial, groups)  # (N, G, C_in/G*K + 1, L)
    ll = cols.shape[-1]
    into = None if out is None else out.reshape(n, groups, c_out // groups, ll)
    y = np.matmul(with_bias(weight.reshape(groups, c_out // groups, -1), bias), cols, out=into)  # (N, G, C_out/G, L)
    return y.reshape((n, c_out) + tuple(out_spatial)) if out is None else out


def weight_grad_core(xp: np.ndarray, grad_out: np.ndarray, kernel, stride, dilation, groups: int) -> np.ndarray:
    """∂/∂W of ``sum(forward_core(xp, W) * grad_out)``: shape ``(C_out, C_in/G, *kernel)``."""
    n, c_in = xp.shape[:2]
    c_out = grad_out.shape[1]
    out_spatial = grad_out.shape[2:]
    if _args.is_depthwise(c_in, c_out, groups):  # the tap loop: a fused multiply-and-sum per tap
        gw = np.empty((c_out, math.prod(kernel)), dtype=xp.dtype)
        axes = "uvw"[: len(kernel)]
        for t, tap in enumerate(np.ndindex(*kernel)):
            gw[:, t] = np.einsum(f"nc{axes},nc{axes}->c", xp[tap_slices(tap, stride, dilation, out_spatial)], grad_out)
        return gw.reshape((c_out, 1) + tuple(kernel))
    cols = unfold(xp, kernel, stride, dilation, out_spatial)  # (N, C_in*K, L)
    ll = cols.shape[-1]
    go = grad_out.reshape(n, groups, c_out // groups, ll)
    gw = np.matmul(go, cols.reshape(n, groups, -1, ll).swapaxes(-1, -2)).sum(axis=0)  # G @ colsᵀ, summed over N
    return gw.reshape((c_out, c_in // groups) + tuple(kernel))


def input_grad_core(grad_out: np.ndarray, weight: np.ndarray, stride, dilation, groups: int, padded_shape,
                    out: np.ndarray | None = None):
    """∂/∂xp of ``sum(forward_core(xp, W) * grad_out)``: an array of ``padded_shape`` (col2im of Wᵀ·grad_out),
    ``out`` (of that shape) when given."""
    n, c_out = grad_out.shape[:2]
    c_in = padded_shape[1]
    kernel = tuple(weight.shape[2:])
    out_spatial = tuple(grad_out.shape[2:])
    gxp = zeroed(out, padded_shape, grad_out.dtype)
    if _args.is_depthwise(c_in, c_out, groups):  # the tap loop: each tap adds back into its slice
        w = weight.reshape((c_out, -1) + (1,) * len(kernel))
        for t, tap in enumerate(np.ndindex(*kernel)):
            gxp[tap_slices(tap, stride, dilation, out_spatial)] += grad_out * w[:, t]
        return gxp
    ll = math.prod(out_spatial)
    wg = weight.reshape(groups, c_out // groups, -1)  # (G, C_out/G, C_in/G*K)
    dcols = np.matmul(wg.swapaxes(-1, -2), grad_out.reshape(n, groups, c_out // groups, ll))  # (N, G, C_in/G*K, L)
    dcols = dcols.reshape((n, c_in) + kernel + out_spatial)
    for tap in np.ndindex(*kernel):  # col2im: every column back into its window
        gxp[tap_slices(tap, stride, dilation, out_spatial)] += dcols[(slice(None), slice(None)) + tap + (Ellipsis,)]
    return gxp


# ----------------------------------------------------------------------------------------------------------------
# Accelerator first, readable core otherwise (also used by the transposed convolution)
# ----------------------------------------------------------------------------------------------------------------
def correlate(x, weight, pads, stride, dilation, groups: int, out_spatial, bias=None) -> np.ndarray:
    """Cross-correlation of ``x`` zero-padded by ``pads`` with ``weight``, plus ``bias`` if given:
    ``(N, C_out, *out_spatial)``; a few images at a time (:func:`~convlearn.nn.functional._accel.images_per_block`)."""
    n = x.shape[0]
    step = _accel.images_per_block(x.shape, weight.shape, groups, out_spatial, x.itemsize)
    return _in_blocks(n, step, (n, weight.shape[0]) + tuple(out_spatial), x.dtype,
                      lambda a, b, dest: _correlate(x[a:b], weight, pads, stride, dilation, groups, out_spatial, dest,
                                                    bias))


def _in_blocks(n: int, step: int, shape, dtype, block) -> np.ndarray:
    """The array of ``shape`` whose images ``a:b`` are ``block(a, b, dest)``, for blocks of ``step`` images.

    ``dest`` is the view of images ``a:b`` (None for a single block): ``block`` writes its result there and
    returns ``dest`` where it can, which saves copying every block's result into place.
    """
    if step >= n:
        return block(0, n, None)
    out = np.empty(shape, dtype=dtype)
    for a in range(0, n, step):
        b = min(a + step, n)
        dest = out[a:b]
        part = block(a, b, dest)
        if part is not dest:
            dest[...] = part
    return out


def _correlate(x, weight, pads, stride, dilation, groups: int, out_spatial, out=None, bias=None) -> np.ndarray:
    y = _accel.forward(x, weight, pads, stride, dilation, groups, out_spatial, out, bias)
    return forward_core(pad(x, pads), weight, stride, dilation, groups, out_spatial, out, bias) if y is None else y


def correlate_weight_grad(xp, grad_out, kernel, stride, dilation, groups: int) -> np.ndarray:
    """:func:`weight_grad_core`, or an accelerator for it; a few images at a time, summed."""
    n = xp.shape[0]
    w_shape = (grad_out.shape[1], xp.shape[1] // groups) + tuple(kernel)
    step = _accel.images_per_block(xp.shape, w_shape, groups, grad_out.shape[2:], xp.itemsize)
    gw = None
    for n0 in range(0, n, step):
        xb, gb = xp[n0:n0 + step], grad_out[n0:n0 + step]
        part = _accel.weight_grad(xb, gb, kernel, stride, dilation, groups)
        if part is None:
            part = weight_grad_core(xb, gb, kernel, stride, dilation, groups)
        gw = part if gw is None else np.add(gw, part, out=gw)
    return gw


def correlate_input_grad(grad_out, weight, stride, dilation, groups: int, padded_shape) -> np.ndarray:
    """:func:`input_grad_core`, or an accelerator for it; a few images at a time."""
    n = grad_out.shape[0]
    rest = tuple(padded_shape[1:])
    step = _accel.images_per_block((n,) + rest, weight.shape, groups, grad_out.shape[2:], grad_out.itemsize)
    return _in_blocks(n, step, (n,) + rest, grad_out.dtype,
                      lambda a, b, dest: _correlate_input_grad(grad_out[a:b], weight, stride, dilation, groups,
                                                               (b - a,) + rest, dest))


def _correlate_input_grad(grad_out, weight, stride, dilation, groups: int, padded_shape, out=None) -> np.ndarray:
    gxp = _accel.input_grad(grad_out, weight, stride, dilation, groups, padded_shape, out)
    return input_grad_core(grad_out, weight, stride, dilation, groups, padded_shape, out) if gxp is None else gxp


def add_bias(y: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """``y += bias`` broadcast over the batch and the spatial axes (in place); returns ``y``."""
    if bias is not None:
        y += bias.reshape((1, -1) + (1,) * (y.ndim - 2))
    return y


def conv_forward(setup: ConvSetup) -> np.ndarray:
    """The convolution that the set-up ``setup`` describes, bias included: ``(N, C_out, *out_spatial)``."""
    y = correlate(setup.x, setup.weight, setup.pads, setup.stride, setup.dilation, setup.groups, setup.out_spatial,
                  setup.bias)
    return np.ascontiguousarray(y)


def conv_backward(setup: ConvSetup, grad_out: np.ndarray):
    """Gradients ``(grad_x, grad_weight, grad_bias)`` of ``sum(conv_forward(setup) * grad_out)``.

    ``grad_out`` is an array of the output's shape, in the set-up's dtype (as :meth:`ConvSetup.parse` with
    ``extra=grad_out`` makes it).
    """
    xp = pad(setup.x, setup.pads)
    grad_weight = correlate_weight_grad(xp, grad_out, setup.kernel, setup.stride, setup.dilation, setup.groups)
    gxp = correlate_input_grad(grad_out, setup.weight, setup.stride, setup.dilation, setup.groups, setup.padded_shape)
    grad_x = np.ascontiguousarray(crop(gxp, setup.pads, setup.x.shape[2:]))
    grad_bias = np.einsum("ncl->c", grad_out.reshape(grad_out.shape[:2] + (-1,)))  # Σ over batch and positions
    return grad_x, np.ascontiguousarray(grad_weight), grad_bias


def conv_nd(x, weight, bias, stride, padding, dilation, groups, nd: int) -> np.ndarray:
    return conv_forward(ConvSetup.parse(x, weight, bias, stride, padding, dilation, groups, nd))


def conv_backward_nd(grad_out, x, weight, stride, padding, dilation, groups, nd: int):
    go = _args.as_array(grad_out, "grad_out", nd)
    setup = ConvSetup.parse(x, weight, None, stride, padding, dilation, groups, nd, extra=go)
    _args.check_grad_out(go, setup.out_shape, f"conv{nd}d")
    return conv_backward(setup, _args.cast(go, setup.x.dtype))


# ----------------------------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------------------------
def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """1-D convolution layer (cross-correlation), numerically equal to ``torch.nn.functional.conv1d``.

    ``y[n, o, i] = b[o] + Σ_c Σ_m x_pad[n, c', i s + m d] W[o, c, m]`` with ``c'`` the ``c``-th input channel
    of output channel ``o``'s group. Bad input raises the errors listed for :func:`conv2d`.

    Parameters
    ----------
    x : (N, C_in, L) array_like
    weight : (C_out, C_in/groups, k) array_like
    bias : (C_out,) array_like, optional
    stride : int or (int,), default 1
        Step ``s`` between windows.
    padding : int, (int,), "valid" or "same", default 0
        Zeros ``p`` added on both sides. ``"valid"`` means 0; ``"same"`` (stride 1 only) pads ``d (k - 1)``
        in total so that the output has the input's length, the odd sample going after, as PyTorch does.
    dilation : int or (int,), default 1
        Spacing ``d`` between kernel taps (a dilated kernel spans ``d (k - 1) + 1`` samples).
    groups : int, default 1
        Split channels into ``groups`` independent convolutions; ``groups == C_in == C_out`` is depthwise.

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
    stride : int or (sH, sW), default 1
        Step between windows, per spatial axis.
    padding : int, (pH, pW), "valid" or "same", default 0
        Zeros added on both sides of every spatial axis. ``"valid"`` means 0; ``"same"`` (stride 1 only)
        pads ``d (k - 1)`` in total so that the output has the input's size, the odd sample going after
        (bottom/right), as PyTorch does.
    dilation : int or (dH, dW), default 1
        Spacing ``d`` between kernel taps (a dilated kernel spans ``d (k - 1) + 1`` samples).
    groups : int, default 1
        Split channels into ``groups`` independent convolutions; ``groups == C_in == C_out`` is depthwise.

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

    The 2-D formula of :func:`conv2d` with one more spatial axis, depth ``D``. Bad input raises the errors
    listed for :func:`conv2d`.

    Parameters
    ----------
    x : (N, C_in, D, H, W) array_like
    weight : (C_out, C_in/groups, kD, kH, kW) array_like
    bias : (C_out,) array_like, optional
    stride : int or (sD, sH, sW), default 1
        Step between windows, per spatial axis.
    padding : int, (pD, pH, pW), "valid" or "same", default 0
        Zeros added on both sides of every spatial axis; ``"same"`` as in :func:`conv2d`.
    dilation : int or (dD, dH, dW), default 1
        Spacing ``d`` between kernel taps (a dilated kernel spans ``d (k - 1) + 1`` samples).
    groups : int, default 1
        Split channels into ``groups`` independent convolutions; ``groups == C_in == C_out`` is depthwise.

    Returns
    -------
    y : (N, C_out, D_out, H_out, W_out) ndarray
        Each output size ``floor((n + 2p - d (k - 1) - 1) / s) + 1``; float32 if all inputs are float32,
        else float64.
    """
    return conv_nd(x, weight, bias, stride, padding, dilation, groups, 3)


def conv1d_backward(grad_out, x, weight, stride=1, padding=0, dilation=1, groups=1):
    """Gradients of ``sum(conv1d(x, weight, bias, ...) * grad_out)``: :func:`conv2d_backward` for one spatial axis.

    Parameters
    ----------
    grad_out : (N, C_out, L_out) array_like
        Must have exactly the shape of ``conv1d(x, weight, ...)``.
    x : (N, C_in, L) array_like
    weight : (C_out, C_in/groups, k) array_like
    stride, padding, dilation, groups
        The forward hyper-parameters (see :func:`conv1d`).

    Returns
    -------
    grad_x : (N, C_in, L) ndarray
    grad_weight : (C_out, C_in/groups, k) ndarray
    grad_bias : (C_out,) ndarray
    """
    return conv_backward_nd(grad_out, x, weight, stride, padding, dilation, groups, 1)


def conv2d_backward(grad_out, x, weight, stride=1, padding=0, dilation=1, groups=1):
    """Gradients of ``sum(conv2d(x, weight, bias, stride, padding, dilation, groups) * grad_out)``.

    Parameters
    ----------
    grad_out : (N, C_out, H_out, W_out) array_like
        ∂L/∂y, the upstream gradient; must have exactly the shape of ``conv2d(x, weight, ...)``.
    x : (N, C_in, H, W) array_like
        The forward input.
    weight : (C_out, C_in/groups, kH, kW) array_like
        The forward weight.
    stride, padding, dilation, groups
        The forward hyper-parameters (see :func:`conv2d`).

    Returns
    -------
    grad_x : (N, C_in, H, W) ndarray
        ``col2im(Wᵀ @ grad_out)`` with the padding cropped: the transposed convolution of ``grad_out``.
    grad_weight : (C_out, C_in/groups, kH, kW) ndarray
        ``grad_out @ colsᵀ``, summed over the batch.
    grad_bias : (C_out,) ndarray
        The gradient with respect to the bias (whether or not the forward pass had one).
    """
    return conv_backward_nd(grad_out, x, weight, stride, padding, dilation, groups, 2)


def conv3d_backward(grad_out, x, weight, stride=1, padding=0, dilation=1, groups=1):
    """Gradients of ``sum(conv3d(x, weight, bias, ...) * grad_out)``: :func:`conv2d_backward` for three spatial axes.

    Parameters
    ----------
    grad_out : (N, C_out, D_out, H_out, W_out) array_like
        Must have exactly the shape of ``conv3d(x, weight, ...)``.
    x : (N, C_in, D, H, W) array_like
    weight : (C_out, C_in/groups, kD, kH, kW) array_like
    stride, padding, dilation, groups
        The forward hyper-parameters (see :func:`conv3d`).

    Returns
    -------
    grad_x : (N, C_in, D, H, W) ndarray
    grad_weight : (C_out, C_in/groups, kD, kH, kW) ndarray
    grad_bias : (C_out,) ndarray
    """
    return conv_backward_nd(grad_out, x, weight, stride, padding, dilation, groups, 3)
