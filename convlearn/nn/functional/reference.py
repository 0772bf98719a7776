"""Readable reference implementations: the loops a learner writes straight from the formulas.

Each function here has the same signature and returns the same numbers as its fast counterpart in
:mod:`convlearn.nn.functional` (which the tests check on many random configurations); they are slow
(pure Python loops over every index) and are meant to be read, shown in the book and used to grade
exercises. Argument checking is shared with the fast functions, so bad input fails the same way.

Conventions: ``x[n, c, row, col]``; output position ``(i, j)`` of a convolution with stride ``s``,
padding ``p`` and dilation ``d`` reads input row ``i*s + m*d - p`` for kernel row ``m`` (and likewise for
columns); reading outside the input gives zero (zero padding).
"""

from __future__ import annotations

import numpy as np

from . import _args
from .setups import ConvSetup, ConvTransposeSetup, PoolSetup

__all__ = [
    "conv1d_loops",
    "conv2d_loops",
    "conv3d_loops",
    "conv2d_backward_loops",
    "conv_transpose2d_loops",
    "max_pool2d_loops",
    "avg_pool2d_loops",
    "max_pool2d_backward_loops",
    "avg_pool2d_backward_loops",
]


# --------------------------------------------------------------------------------------------------------------
# Convolutions (cross-correlation, as in every CNN library)
# --------------------------------------------------------------------------------------------------------------
def conv1d_loops(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution layer by loops: ``y[n, o, i] = b[o] + Σ_c Σ_m x[n, c', i*s + m*d - p] W[o, c, m]``."""
    a = ConvSetup.parse(x, weight, bias, stride, padding, dilation, groups, nd=1)
    x, w, b = a.x, a.weight, a.bias
    N, C_in, L = x.shape
    C_out, C_per_group, k = w.shape
    (s,), (d,), ((p, _),) = a.stride, a.dilation, a.pads   # p: zeros added before the first sample
    (L_out,) = a.out_spatial
    out_per_group = C_out // a.groups
    y = np.zeros((N, C_out, L_out), dtype=x.dtype)
    for n in range(N):
        for o in range(C_out):
            g = o // out_per_group                    # the group of output channel o ...
            for i in range(L_out):
                total = 0.0 if b is None else b[o]
                for c in range(C_per_group):          # ... sees only the input channels of group g
                    for m in range(k):
                        t = i * s + m * d - p         # input sample under kernel tap m
                        if 0 <= t < L:                # outside the input: zero padding, adds nothing
                            total += x[n, g * C_per_group + c, t] * w[o, c, m]
                y[n, o, i] = total
    return y


def conv2d_loops(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution layer by loops.

    ``y[n, o, i, j] = b[o] + Σ_c Σ_m Σ_q x[n, c', i*s_H + m*d_H - p_H, j*s_W + q*d_W - p_W] W[o, c, m, q]``,
    where ``c' = g * C_in/groups + c`` is the ``c``-th input channel of the group ``g`` of output channel ``o``.
    """
    a = ConvSetup.parse(x, weight, bias, stride, padding, dilation, groups, nd=2)
    x, w, b = a.x, a.weight, a.bias
    N, C_in, H, W = x.shape
    C_out, C_per_group, kH, kW = w.shape
    sH, sW = a.stride
    dH, dW = a.dilation
    (pH, _), (pW, _) = a.pads          # zeros added above / to the left ("same" may add one more after)
    H_out, W_out = a.out_spatial
    out_per_group = C_out // a.groups
    y = np.zeros((N, C_out, H_out, W_out), dtype=x.dtype)
    for n in range(N):                                  # every image of the batch,
        for o in range(C_out):                          # every filter (output channel),
            g = o // out_per_group                      # (which reads only the input channels of its group g)
            for i in range(H_out):                      # every output position (i, j):
                for j in range(W_out):
                    total = 0.0 if b is None else b[o]
                    for c in range(C_per_group):        # sum over the window: channels, kernel rows, kernel columns
                        for m in range(kH):
                            for q in range(kW):
                                row = i * sH + m * dH - pH      # the input pixel under kernel tap (m, q)
                                col = j * sW + q * dW - pW
                                if 0 <= row < H and 0 <= col < W:   # outside: a padding zero, adds nothing
                                    total += x[n, g * C_per_group + c, row, col] * w[o, c, m, q]
                    y[n, o, i, j] = total
    return y


def conv3d_loops(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution layer by loops (the 2-D formula with one more axis, depth ``D``)."""
    a = ConvSetup.parse(x, weight, bias, stride, padding, dilation, groups, nd=3)
    x, w, b = a.x, a.weight, a.bias
    N, C_in, D, H, W = x.shape
    C_out, C_per_group, kD, kH, kW = w.shape
    sD, sH, sW = a.stride
    dD, dH, dW = a.dilation
    (pD, _), (pH, _), (pW, _) = a.pads
    D_out, H_out, W_out = a.out_spatial
    out_per_group = C_out // a.groups
    y = np.zeros((N, C_out, D_out, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for o in range(C_out):
            g = o // out_per_group
            for h in range(D_out):
                for i in range(H_out):
                    for j in range(W_out):
                        total = 0.0 if b is None else b[o]
                        for c in range(C_per_group):
                            for ell in range(kD):
                                for m in range(kH):
                                    for q in range(kW):
                                        dep = h * sD + ell * dD - pD
                                        row = i * sH + m * dH - pH
                                        col = j * sW + q * dW - pW
                                        if 0 <= dep < D and 0 <= row < H and 0 <= col < W:
                                            total += x[n, g * C_per_group + c, dep, row, col] * w[o, c, ell, m, q]
                        y[n, o, h, i, j] = total
    return y


def conv2d_backward_loops(grad_out, x, weight, stride=1, padding=0, dilation=1, groups=1):
    """Gradients of ``sum(conv2d(x, weight, bias) * grad_out)`` by loops.

    Walk over exactly the same terms as the forward loop. The term ``x[..., row, col] * W[o, c, m, q]``
    contributed to ``y[n, o, i, j]``, so by the chain rule it sends ``grad_out[n, o, i, j] * W[o, c, m, q]``
    to ``grad_x[..., row, col]`` and ``grad_out[n, o, i, j] * x[..., row, col]`` to ``grad_W[o, c, m, q]``;
    the bias receives every ``grad_out[n, o, i, j]``.

    Returns
    -------
    grad_x : (N, C_in, H, W), grad_weight : (C_out, C_in/groups, kH, kW), grad_bias : (C_out,)
    """
    go = _args.as_array(grad_out, "grad_out", 2)
    a = ConvSetup.parse(x, weight, None, stride, padding, dilation, groups, nd=2, extra=go)
    _args.check_grad_out(go, a.out_shape, "conv2d")
    x, w = a.x, a.weight
    N, C_in, H, W = x.shape
    C_out, C_per_group, kH, kW = w.shape
    sH, sW = a.stride
    dH, dW = a.dilation
    (pH, _), (pW, _) = a.pads
    H_out, W_out = a.out_spatial
    out_per_group = C_out // a.groups
    grad_x = np.zeros_like(x)
    grad_w = np.zeros_like(w)
    grad_b = np.zeros(C_out, dtype=x.dtype)
    for n in range(N):
        for o in range(C_out):
            g = o // out_per_group
            for i in range(H_out):
                for j in range(W_out):
                    upstream = go[n, o, i, j]
                    grad_b[o] += upstream
                    for c in range(C_per_group):
                        for m in range(kH):
                            for q in range(kW):
                                row = i * sH + m * dH - pH
                                col = j * sW + q * dW - pW
                                if 0 <= row < H and 0 <= col < W:
                                    channel = g * C_per_group + c
                                    grad_x[n, channel, row, col] += upstream * w[o, c, m, q]
                                    grad_w[o, c, m, q] += upstream * x[n, channel, row, col]
    return grad_x, grad_w, grad_b


def conv_transpose2d_loops(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution by loops: every input pixel scatters a scaled copy of the kernel.

    Input pixel ``x[n, c, i, j]`` adds ``x[n, c, i, j] * W[c, o, m, q]`` to output pixel
    ``(i*s_H + m*d_H - p_H, j*s_W + q*d_W - p_W)`` of channel ``o`` of its group -- the same index map as
    :func:`conv2d_loops`, read backwards (which is why it is the adjoint of the convolution).
    """
    a = ConvTransposeSetup.parse(x, weight, bias, stride, padding, output_padding, groups, dilation, nd=2)
    x, w, b, groups, C_out = a.x, a.weight, a.bias, a.groups, a.out_channels
    sH, sW = a.stride
    dH, dW = a.dilation
    (pH, _), (pW, _) = a.pads          # rows/columns cropped from the top/left of the output
    H_out, W_out = a.out_spatial
    N, C_in, H, W = x.shape
    _, out_per_group, kH, kW = w.shape
    in_per_group = C_in // groups
    y = np.zeros((N, C_out, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C_in):
            g = c // in_per_group
            for i in range(H):
                for j in range(W):
                    for o in range(out_per_group):
                        for m in range(kH):
                            for q in range(kW):
                                row = i * sH + m * dH - pH
                                col = j * sW + q * dW - pW
                                if 0 <= row < H_out and 0 <= col < W_out:   # cropped by the padding otherwise
                                    y[n, g * out_per_group + o, row, col] += x[n, c, i, j] * w[c, o, m, q]
    if b is not None:
        for o in range(C_out):
            y[:, o] += b[o]
    return y


# --------------------------------------------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------------------------------------------
def _argmax_window(x, n, c, i, j, g: PoolSetup):
    """Largest sample of window (i, j) of x[n, c] and its (row, col), following PyTorch's scan.

    The scan starts at the window's first real (non-padding) sample with ``best = -inf`` and moves on a
    strictly larger value (so a tie keeps the first maximum) or a NaN (so NaN wins, the last one). Returns
    ``(-inf, None)`` for a window made of padding only.
    """
    H, W = x.shape[2:]
    best, where = -np.inf, None
    for m in range(g.kernel[0]):
        for q in range(g.kernel[1]):
            row = i * g.stride[0] + m * g.dilation[0] - g.padding[0]
            col = j * g.stride[1] + q * g.dilation[1] - g.padding[1]
            if 0 <= row < H and 0 <= col < W:                  # padding is never chosen
                v = x[n, c, row, col]
                if where is None or v > best or np.isnan(v):
                    best, where = v, (row, col)
    return best, where


def max_pool2d_loops(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """2-D max pooling by loops: each output is the largest input sample in its window (padding is -inf)."""
    g = PoolSetup.parse(x, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    x = g.x
    N, C = x.shape[:2]
    H_out, W_out = g.out_spatial
    y = np.empty((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    y[n, c, i, j], _ = _argmax_window(x, n, c, i, j, g)
    return y


def max_pool2d_backward_loops(grad_out, x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Gradient of max pooling by loops: each window passes its upstream gradient to its (first) maximum."""
    go = _args.as_array(grad_out, "grad_out", 2)
    g = PoolSetup.parse(x, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d_backward", extra=go)
    _args.check_grad_out(go, g.out_shape, "max_pool2d")
    x = g.x
    N, C = x.shape[:2]
    H_out, W_out = g.out_spatial
    grad_x = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    _, where = _argmax_window(x, n, c, i, j, g)
                    if where is not None:
                        grad_x[n, c, where[0], where[1]] += go[n, c, i, j]   # overlapping windows add up
    return grad_x


def _avg_window(g: PoolSetup, i, j, count_include_pad):
    """Rows, columns and divisor of average-pooling window (i, j), following PyTorch's definition."""
    H, W = g.x.shape[2:]
    (kH, kW), (sH, sW), (pH, pW) = g.kernel, g.stride, g.padding
    row0, col0 = i * sH - pH, j * sW - pW
    row1, col1 = min(row0 + kH, H + pH), min(col0 + kW, W + pW)   # the window is clipped to the padded input
    pool_size = (row1 - row0) * (col1 - col0)
    rows = range(max(row0, 0), min(row1, H))                        # the real (non-padding) samples
    cols = range(max(col0, 0), min(col1, W))
    divisor = pool_size if count_include_pad else len(rows) * len(cols)
    return rows, cols, divisor


def avg_pool2d_loops(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """2-D average pooling by loops: sum of the window's samples divided by the window's divisor."""
    g = PoolSetup.parse(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    count_include_pad = _args.as_bool(count_include_pad, "count_include_pad")
    x = g.x
    N, C = x.shape[:2]
    H_out, W_out = g.out_spatial
    y = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    rows, cols, divisor = _avg_window(g, i, j, count_include_pad)
                    total = 0.0
                    for row in rows:
                        for col in cols:
                            total += x[n, c, row, col]
                    y[n, c, i, j] = total / divisor
    return y


def avg_pool2d_backward_loops(grad_out, x, kernel_size, stride=None, padding=0, ceil_mode=False,
                              count_include_pad=True):
    """Gradient of average pooling by loops: each sample of a window receives ``grad_out / divisor``."""
    go = _args.as_array(grad_out, "grad_out", 2)
    g = PoolSetup.parse(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d_backward", extra=go)
    _args.check_grad_out(go, g.out_shape, "avg_pool2d")
    count_include_pad = _args.as_bool(count_include_pad, "count_include_pad")
    N, C = g.x.shape[:2]
    H_out, W_out = g.out_spatial
    grad_x = np.zeros_like(g.x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    rows, cols, divisor = _avg_window(g, i, j, count_include_pad)
                    for row in rows:
                        for col in cols:
                            grad_x[n, c, row, col] += go[n, c, i, j] / divisor
    return grad_x
