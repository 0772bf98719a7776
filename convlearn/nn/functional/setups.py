"""Checked, normalised arguments of the operations: one small family of frozen dataclasses.

Every operation of :mod:`convlearn.nn.functional` (fast path and readable reference alike) starts by
turning its arguments into one of these, so that bad input fails the same way everywhere and the
geometry (:mod:`~convlearn.nn.functional.geometry`) is computed once. One naming throughout:

* ``kernel``, ``stride``, ``dilation`` -- tuples with one int per spatial axis;
* ``pads`` -- per spatial axis, the ``(before, after)`` samples added around the array that the windows
  slide over (for a transposed convolution: cropped from its output);
* ``out_spatial`` -- the spatial output sizes; ``out_shape`` -- the whole output shape
  ``(N, C_out, *out_spatial)``;
* ``padded_shape`` -- the shape of the padded array the windows slide over.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from convlearn._validation import as_int_tuple, as_positive_int

from . import _args
from .geometry import check_output_padding, dilated_extent, strided_span, transpose_output_size
from .im2col import tap_slices

__all__ = ["WindowSetup", "ConvSetup", "ConvTransposeSetup", "PoolSetup"]


@dataclass(frozen=True)
class WindowSetup:
    """What every sliding-window operation shares.

    Attributes
    ----------
    x : (N, C, *spatial) ndarray
        The input, cast to the result dtype (never written to).
    kernel, stride, dilation : tuple of int
        One per spatial axis.
    pads : tuple of (int, int)
        ``(before, after)`` padding of each spatial axis of the array the windows slide over.
    out_spatial : tuple of int
        Number of windows along each spatial axis.
    """

    x: np.ndarray
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]
    out_spatial: tuple[int, ...]

    @property
    def nd(self) -> int:
        """Number of spatial axes."""
        return len(self.kernel)

    def taps(self):
        """Kernel taps ``(m_1, ..., m_nd)`` in row-major order."""
        return itertools.product(*(range(k) for k in self.kernel))

    def tap_slices(self, tap) -> tuple[slice, ...]:
        """Index of the samples of the padded array that kernel tap ``tap`` reads, one per output position."""
        return tap_slices(tap, self.stride, self.dilation, self.out_spatial)


def _padded(shape: tuple[int, ...], pads) -> tuple[int, ...]:
    return tuple(shape[:2]) + tuple(n + lo + hi for n, (lo, hi) in zip(shape[2:], pads, strict=True))


@dataclass(frozen=True)
class ConvSetup(WindowSetup):
    """A convolution ``conv{nd}d(x, weight, bias, stride, padding, dilation, groups)``.

    Attributes
    ----------
    weight : (C_out, C_in/groups, *kernel) ndarray
    bias : (C_out,) ndarray or None
    groups : int
    """

    weight: np.ndarray
    bias: np.ndarray | None
    groups: int

    @classmethod
    def parse(cls, x, weight, bias, stride, padding, dilation, groups, nd: int, extra=None) -> ConvSetup:
        """Check the arguments of an ``nd``-d convolution and cast them to the result dtype.

        ``extra`` (e.g. ``grad_out``) takes part in choosing the dtype.
        """
        x = _args.as_array(x, "x", nd)
        weight = _args.as_array(weight, "weight", nd, _args.WEIGHT_LAYOUTS.get(nd))
        groups = as_positive_int(groups, "groups")
        c_out = _args.check_conv_channels(x.shape, weight.shape, groups, nd)
        bias = _args.as_bias(bias, "bias", c_out, weight.shape)
        stride = as_int_tuple(stride, nd, "stride", minimum=1)
        dilation = as_int_tuple(dilation, nd, "dilation", minimum=1)
        kernel = tuple(weight.shape[2:])
        pads = _args.conv_padding(padding, nd, kernel, stride, dilation)
        _args.check_kernel_fits(x.shape, kernel, dilation, pads, w_shape=weight.shape)
        out_spatial = _args.out_shape(x.shape[2:], kernel, stride, pads, dilation)
        dtype = _args.common_dtype(x, weight, bias, extra)
        return cls(_args.cast(x, dtype), kernel, stride, dilation, pads, out_spatial, _args.cast(weight, dtype),
                   _args.cast(bias, dtype), groups)

    @property
    def out_shape(self) -> tuple[int, ...]:
        """``(N, C_out, *out_spatial)``."""
        return (self.x.shape[0], self.weight.shape[0]) + self.out_spatial

    @property
    def padded_shape(self) -> tuple[int, ...]:
        """Shape of the zero-padded input ``(N, C_in, *(spatial + before + after))``."""
        return _padded(self.x.shape, self.pads)


@dataclass(frozen=True)
class ConvTransposeSetup(WindowSetup):
    """A transposed convolution ``conv_transpose{nd}d(x, weight, bias, stride, padding, output_padding, ...)``.

    The windows are those of the convolution it transposes, which slides over the transposed
    convolution's *output*, padded by ``pads`` (which the transposed convolution crops).

    Attributes
    ----------
    weight : (C_in, C_out/groups, *kernel) ndarray
    bias : (C_out,) ndarray or None
    groups : int
    output_padding : tuple of int
    """

    weight: np.ndarray
    bias: np.ndarray | None
    groups: int
    output_padding: tuple[int, ...]

    @classmethod
    def parse(cls, x, weight, bias, stride, padding, output_padding, groups, dilation, nd: int,
              extra=None) -> ConvTransposeSetup:
        """Check the arguments of an ``nd``-d transposed convolution and cast them to the result dtype."""
        x = _args.as_array(x, "x", nd)
        weight = _args.as_array(weight, "weight", nd, _args.TRANSPOSED_WEIGHT_LAYOUTS.get(nd))
        groups = as_positive_int(groups, "groups")
        c_in = x.shape[1]
        if weight.shape[0] != c_in:
            raise ValueError(
                f"weight with shape {weight.shape} {_args.TRANSPOSED_WEIGHT_LAYOUTS.get(nd, '')} must have "
                f"C_in = {c_in} rows (the channels of x with shape {x.shape}), got {weight.shape[0]}"
            )
        if c_in % groups:
            raise ValueError(
                f"input channels C_in={c_in} of x with shape {x.shape} are not divisible by groups={groups}"
            )
        c_out = weight.shape[1] * groups
        bias = _args.as_bias(bias, "bias", c_out, weight.shape)
        stride = as_int_tuple(stride, nd, "stride", minimum=1)
        dilation = as_int_tuple(dilation, nd, "dilation", minimum=1)
        if isinstance(padding, str):
            raise TypeError(
                f"padding of a transposed convolution must be an int or a tuple of {nd} ints, got {padding!r}"
            )
        p = as_int_tuple(padding, nd, "padding", minimum=0)
        op = as_int_tuple(output_padding, nd, "output_padding", minimum=0)
        check_output_padding(op, stride, dilation)
        kernel = tuple(weight.shape[2:])
        out_spatial = tuple(
            transpose_output_size(n, k, s, pp, o, d)
            for n, k, s, pp, o, d in zip(x.shape[2:], kernel, stride, p, op, dilation, strict=True)
        )
        if any(o < 1 for o in out_spatial):
            raise ValueError(
                f"transposed convolution of x with shape {x.shape} by weight with shape {weight.shape} (stride "
                f"{stride}, padding {p}, output_padding {op}, dilation {dilation}) would have output size "
                f"{out_spatial}; padding is too large"
            )
        dtype = _args.common_dtype(x, weight, bias, extra)
        return cls(_args.cast(x, dtype), kernel, stride, dilation, tuple((v, v) for v in p), out_spatial,
                   _args.cast(weight, dtype), _args.cast(bias, dtype), groups, op)

    @property
    def out_channels(self) -> int:
        return self.weight.shape[1] * self.groups

    @property
    def out_shape(self) -> tuple[int, ...]:
        """``(N, C_out, *out_spatial)``."""
        return (self.x.shape[0], self.out_channels) + self.out_spatial

    @property
    def padded_shape(self) -> tuple[int, ...]:
        """Shape of the output before the padding is cropped, ``(N, C_out, *(out_spatial + before + after))``."""
        return _padded(self.out_shape, self.pads)


@dataclass(frozen=True)
class PoolSetup(WindowSetup):
    """A 2-D pooling (max or average).

    Attributes
    ----------
    padding : tuple of int
        The user's padding ``p`` per axis (at most half the kernel, as in PyTorch). ``pads`` may add more
        after, so that a ``ceil_mode`` window that runs past ``n + p`` has samples to read.
    ceil_mode : bool
    """

    padding: tuple[int, ...]
    ceil_mode: bool

    @classmethod
    def parse(cls, x, kernel_size, stride, padding, dilation, ceil_mode, name: str, extra=None) -> PoolSetup:
        """Check the arguments of ``name`` (a 2-D pooling) and cast ``x`` to the result dtype."""
        x = _args.as_array(x, "x", 2)
        kernel = as_int_tuple(kernel_size, 2, "kernel_size", minimum=1)
        stride = kernel if stride is None else as_int_tuple(stride, 2, "stride", minimum=1)
        padding = as_int_tuple(padding, 2, "padding", minimum=0)
        dilation = as_int_tuple(dilation, 2, "dilation", minimum=1)
        ceil_mode = _args.as_bool(ceil_mode, "ceil_mode")
        for p, k in zip(padding, kernel, strict=True):
            if p > k // 2:
                raise ValueError(
                    f"{name}: padding must be at most half the kernel size (p <= k // 2, as in PyTorch); "
                    f"got padding={padding} for kernel_size={kernel}"
                )
        pairs = tuple((p, p) for p in padding)
        out_spatial = _args.out_shape(x.shape[2:], kernel, stride, pairs, dilation, ceil_mode)
        if any(o < 1 for o in out_spatial):
            raise ValueError(
                f"{name}: x with shape {x.shape} is too small for kernel_size={kernel}, stride={stride}, "
                f"padding={padding}, dilation={dilation}: the output size would be {out_spatial}"
            )
        # A ceil_mode window may run past the right padding: pad enough for the last window (the average's
        # divisor never counts samples beyond n + p, and a -inf never wins a max).
        pads = tuple(
            (p, max(p, strided_span(o, s) - 1 + dilated_extent(k, d) - n - p))
            for n, k, s, p, d, o in zip(x.shape[2:], kernel, stride, padding, dilation, out_spatial, strict=True)
        )
        x = _args.cast(x, _args.common_dtype(x, extra))
        return cls(x, kernel, stride, dilation, pads, out_spatial, padding, ceil_mode)

    @property
    def out_shape(self) -> tuple[int, ...]:
        """``(N, C, *out_spatial)``."""
        return self.x.shape[:2] + self.out_spatial

    @property
    def padded_shape(self) -> tuple[int, ...]:
        """Shape of the padded input."""
        return _padded(self.x.shape, self.pads)

    def divisor(self, count_include_pad: bool) -> np.ndarray:
        """Per-output-position divisor of the average (product of per-axis window lengths), shape ``out_spatial``.

        A window is clipped to the padded input ``[-p, n + p)``; without ``count_include_pad`` only its
        samples inside the input ``[0, n)`` count.
        """
        per_axis = []
        for n, k, s, p, o in zip(self.x.shape[2:], self.kernel, self.stride, self.padding, self.out_spatial,
                                 strict=True):
            start = np.arange(o) * s - p
            end = np.minimum(start + k, n + p)
            if count_include_pad:
                per_axis.append(end - start)
            else:
                per_axis.append(np.minimum(end, n) - np.maximum(start, 0))
        return np.multiply.outer(per_axis[0], per_axis[1]).astype(self.x.dtype)
