"""Gradients of the convolution layers: ``conv1d_backward``, ``conv2d_backward``, ``conv3d_backward``.

For ``y = conv(x, W) + b`` and an upstream gradient ``G = ∂L/∂y`` of the same shape as ``y``:

* ``∂L/∂b[o] = Σ_{n, positions} G[n, o, ...]``;
* ``∂L/∂W`` -- every weight multiplies one input sample per output position, so
  ``∂L/∂W = G @ colsᵀ`` (im2col columns of the padded input, summed over the batch);
* ``∂L/∂x`` -- each input sample feeds every window that contains it, so ``∂L/∂x = col2im(Wᵀ @ G)``: the
  transposed convolution of ``G`` with ``W``, cropped to remove the padding.

The depthwise case uses the same per-tap loop as the forward pass.
"""

from __future__ import annotations

import numpy as np

from . import _args
from .conv import input_grad_core, setup, weight_grad_core
from .im2col import crop, pad

__all__ = ["conv1d_backward", "conv2d_backward", "conv3d_backward"]


def conv_backward_nd(grad_out, x, weight, stride, padding, dilation, groups, nd: int):
    go = _args.as_array(grad_out, "grad_out", nd)
    s = setup(x, weight, None, stride, padding, dilation, groups, nd, extra_dtype=go)
    _args.check_grad_out(go, s.output_shape, f"conv{nd}d")
    go = _args.cast(go, s.x.dtype)
    xp = pad(s.x, s.pads)
    grad_weight = weight_grad_core(xp, go, s.kernel, s.stride, s.dilation, s.groups)
    gxp = input_grad_core(go, s.weight, s.stride, s.dilation, s.groups, s.padded_shape)
    grad_x = np.ascontiguousarray(crop(gxp, s.pads, s.x.shape[2:]))
    grad_bias = go.sum(axis=(0,) + tuple(range(2, 2 + nd)))
    return grad_x, np.ascontiguousarray(grad_weight), grad_bias


_DOC = """Gradients of ``sum(conv{nd}d(x, weight, bias, stride, padding, dilation, groups) * grad_out)``.

    Parameters
    ----------
    grad_out : {go} array_like
        ∂L/∂y, the upstream gradient; must have exactly the shape of ``conv{nd}d(x, weight, ...)``.
    x : {xs} array_like
        The forward input.
    weight : {ws} array_like
        The forward weight.
    stride, padding, dilation, groups
        The forward hyper-parameters (see :func:`conv{nd}d`).

    Returns
    -------
    grad_x : {xs} ndarray
    grad_weight : {ws} ndarray
    grad_bias : (C_out,) ndarray
        The gradient with respect to the bias (whether or not the forward pass had one).
    """


def conv1d_backward(grad_out, x, weight, stride=1, padding=0, dilation=1, groups=1):
    return conv_backward_nd(grad_out, x, weight, stride, padding, dilation, groups, 1)


def conv2d_backward(grad_out, x, weight, stride=1, padding=0, dilation=1, groups=1):
    return conv_backward_nd(grad_out, x, weight, stride, padding, dilation, groups, 2)


def conv3d_backward(grad_out, x, weight, stride=1, padding=0, dilation=1, groups=1):
    return conv_backward_nd(grad_out, x, weight, stride, padding, dilation, groups, 3)


conv1d_backward.__doc__ = _DOC.format(nd=1, go="(N, C_out, L_out)", xs="(N, C_in, L)", ws="(C_out, C_in/groups, k)")
conv2d_backward.__doc__ = _DOC.format(nd=2, go="(N, C_out, H_out, W_out)", xs="(N, C_in, H, W)",
                                      ws="(C_out, C_in/groups, kH, kW)")
conv3d_backward.__doc__ = _DOC.format(nd=3, go="(N, C_out, D_out, H_out, W_out)", xs="(N, C_in, D, H, W)",
                                      ws="(C_out, C_in/groups, kD, kH, kW)")
