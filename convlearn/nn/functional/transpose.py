"""Transposed convolution ("deconvolution"): ``conv_transpose2d`` and its gradients.

``conv_transpose2d(x, W)`` is the adjoint of ``conv2d(·, W)`` with the same stride, padding, dilation and
groups: ``<conv2d(z, W), x> = <z, conv_transpose2d(x, W)>``. Each input sample scatters a copy of the
kernel, scaled by its value, into the output at ``s`` times its position; overlaps add up. It is computed
as ``col2im(Wᵀ @ x)`` -- exactly the input-gradient of a convolution -- so its own gradients are a
convolution (for ``x``) and a convolution weight-gradient (for ``W``).

Output size per axis: ``(n - 1) s - 2p + d (k - 1) + output_padding + 1``.
"""

from __future__ import annotations

import numpy as np

from . import _args
from .conv import add_bias, forward_core, input_grad_core, weight_grad_core
from .geometry import check_output_padding, transpose_output_size
from .im2col import crop, pad

__all__ = ["conv_transpose2d", "conv_transpose2d_backward"]


def _setup(x, weight, bias, stride, padding, output_padding, groups, dilation, nd, extra=None):
    x = _args.as_array(x, "x", nd)
    weight = _args.as_array(weight, "weight", nd, _args._TWEIGHT_LAYOUTS.get(nd))
    groups = _args.groups_int(groups)
    c_in = x.shape[1]
    if weight.shape[0] != c_in:
        raise ValueError(
            f"weight with shape {weight.shape} {_args._TWEIGHT_LAYOUTS.get(nd, '')} must have C_in = {c_in} rows "
            f"(the channels of x with shape {x.shape}), got {weight.shape[0]}"
        )
    if c_in % groups:
        raise ValueError(f"input channels C_in={c_in} of x with shape {x.shape} are not divisible by groups={groups}")
    c_out = weight.shape[1] * groups
    bias = _args.as_bias(bias, "bias", c_out, weight.shape)
    stride = _args.int_tuple(stride, nd, "stride", 1)
    dilation = _args.int_tuple(dilation, nd, "dilation", 1)
    if isinstance(padding, str):
        raise TypeError(f"padding of a transposed convolution must be an int or a tuple of {nd} ints, got {padding!r}")
    p = _args.int_tuple(padding, nd, "padding", 0)
    op = _args.int_tuple(output_padding, nd, "output_padding", 0)
    check_output_padding(op, stride, dilation)
    kernel = tuple(weight.shape[2:])
    out_shape = tuple(
        transpose_output_size(n, k, s, pp, o, d)
        for n, s, pp, d, k, o in zip(x.shape[2:], stride, p, dilation, kernel, op, strict=True)
    )
    if any(o < 1 for o in out_shape):
        raise ValueError(
            f"transposed convolution of x with shape {x.shape} by weight with shape {weight.shape} (stride {stride}, "
            f"padding {p}, output_padding {op}, dilation {dilation}) would have output size {out_shape}; padding is "
            "too large"
        )
    dtype = _args.common_dtype(x, weight, bias, extra)
    pads = tuple((v, v) for v in p)
    return (_args.cast(x, dtype), _args.cast(weight, dtype), _args.cast(bias, dtype), stride, pads, dilation, groups,
            out_shape, c_out)


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1) -> np.ndarray:
    """2-D transposed convolution, numerically equal to ``torch.nn.functional.conv_transpose2d``.

    Parameters
    ----------
    x : (N, C_in, H, W) array_like
    weight : (C_in, C_out/groups, kH, kW) array_like
        Note the order: input channels first (the weight of the ``conv2d`` this one transposes).
    bias : (C_out,) array_like, optional
    stride, padding, dilation, groups : int or tuple of int
        Those of the ``conv2d`` being transposed (``padding`` removes rows/columns from the output).
    output_padding : int or (int, int), default 0
        Extra rows/columns added at the bottom/right, to pick among the input sizes that a strided
        ``conv2d`` maps to the same output size; must be smaller than the stride or the dilation.

    Returns
    -------
    y : (N, C_out, H_out, W_out) ndarray
        ``H_out = (H - 1) s - 2p + d (kH - 1) + output_padding + 1``.
    """
    x, w, b, stride, pads, dilation, groups, out_shape, c_out = _setup(x, weight, bias, stride, padding,
                                                                       output_padding, groups, dilation, 2)
    padded = (x.shape[0], c_out) + tuple(o + lo + hi for o, (lo, hi) in zip(out_shape, pads, strict=True))
    yp = input_grad_core(x, w, stride, dilation, groups, padded)
    return np.ascontiguousarray(add_bias(np.ascontiguousarray(crop(yp, pads, out_shape)), b))


def conv_transpose2d_backward(grad_out, x, weight, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Gradients of ``sum(conv_transpose2d(x, weight, bias, ...) * grad_out)``.

    Parameters
    ----------
    grad_out : (N, C_out, H_out, W_out) array_like
        Must have the shape of ``conv_transpose2d(x, weight, ...)``.
    x : (N, C_in, H, W) array_like
    weight : (C_in, C_out/groups, kH, kW) array_like
    stride, padding, output_padding, groups, dilation
        The forward hyper-parameters.

    Returns
    -------
    grad_x : (N, C_in, H, W) ndarray
        ``conv2d(grad_out, weight, stride=stride, padding=padding, dilation=dilation, groups=groups)``.
    grad_weight : (C_in, C_out/groups, kH, kW) ndarray
    grad_bias : (C_out,) ndarray
    """
    go = _args.as_array(grad_out, "grad_out", 2)
    x, w, _, stride, pads, dilation, groups, out_shape, c_out = _setup(x, weight, None, stride, padding,
                                                                       output_padding, groups, dilation, 2, extra=go)
    _args.check_grad_out(go, (x.shape[0], c_out) + out_shape, "conv_transpose2d")
    go = _args.cast(go, x.dtype)
    gop = pad(go, pads)
    in_shape = tuple(x.shape[2:])
    grad_x = forward_core(gop, w, stride, dilation, groups, in_shape)
    grad_w = weight_grad_core(gop, x, tuple(w.shape[2:]), stride, dilation, groups)
    grad_b = go.sum(axis=(0, 2, 3))
    return np.ascontiguousarray(grad_x), np.ascontiguousarray(grad_w), grad_b
