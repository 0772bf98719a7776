"""Transposed convolution ("deconvolution"): ``conv_transpose2d`` and its gradients.

``conv_transpose2d(x, W)`` is the adjoint of ``conv2d(·, W)`` with the same stride, padding, dilation and
groups: ``<conv2d(z, W), x> = <z, conv_transpose2d(x, W)>``. Each input sample scatters a copy of the
kernel, scaled by its value, into the output at ``s`` times its position; overlaps add up. It is computed
as ``col2im(Wᵀ @ x)`` -- exactly the input-gradient of a convolution -- so its own gradients are a
convolution (for ``x``) and a convolution weight-gradient (for ``W``).

Output size per axis: ``(n - 1) s - 2p + d (k - 1) + output_padding + 1``
(:func:`~convlearn.nn.functional.geometry.transpose_output_size`).
"""

from __future__ import annotations

import numpy as np

from . import _args
from .conv import add_bias, correlate, correlate_input_grad, correlate_weight_grad
from .im2col import crop, pad
from .setups import ConvTransposeSetup

__all__ = ["conv_transpose2d", "conv_transpose2d_backward"]


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
    setup = ConvTransposeSetup.parse(x, weight, bias, stride, padding, output_padding, groups, dilation, 2)
    yp = correlate_input_grad(setup.x, setup.weight, setup.stride, setup.dilation, setup.groups, setup.padded_shape)
    return np.ascontiguousarray(add_bias(np.ascontiguousarray(crop(yp, setup.pads, setup.out_spatial)), setup.bias))


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
    setup = ConvTransposeSetup.parse(x, weight, None, stride, padding, output_padding, groups, dilation, 2, extra=go)
    _args.check_grad_out(go, setup.out_shape, "conv_transpose2d")
    go = _args.cast(go, setup.x.dtype)
    grad_x = correlate(go, setup.weight, setup.pads, setup.stride, setup.dilation, setup.groups, setup.x.shape[2:])
    grad_w = correlate_weight_grad(pad(go, setup.pads), setup.x, setup.kernel, setup.stride, setup.dilation,
                                   setup.groups)
    grad_b = go.sum(axis=(0, 2, 3))
    return np.ascontiguousarray(grad_x), np.ascontiguousarray(grad_w), grad_b
