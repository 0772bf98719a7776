"""Argument parsing shared by the operations of :mod:`convlearn.nn.functional`.

Everything here turns the user's ``stride``/``padding``/``dilation``/``groups`` and arrays into checked,
normalised values (tuples of ints, per-axis ``(low, high)`` padding pairs, arrays of one common dtype),
raising a ``ValueError``/``TypeError`` that names the argument and the shapes. The generic helpers work
for any number ``nd`` of spatial axes so that 1-D, 2-D and 3-D convolutions share one code path.
"""

from __future__ import annotations

import numpy as np

from convlearn._validation import (
    as_int_tuple,
    as_real_array,
    check_choice,
    check_ndim,
    result_dtype,
)

from .geometry import dilated_extent, output_size, same_padding

#: The names of the spatial axes, quoted in error messages.
SPATIAL_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
WEIGHT_LAYOUTS = {
    1: "(C_out, C_in/groups, k)",
    2: "(C_out, C_in/groups, kH, kW)",
    3: "(C_out, C_in/groups, kD, kH, kW)",
}
TRANSPOSED_WEIGHT_LAYOUTS = {
    1: "(C_in, C_out/groups, k)",
    2: "(C_in, C_out/groups, kH, kW)",
    3: "(C_in, C_out/groups, kD, kH, kW)",
}


def layout(nd: int, channels: int | str = "C") -> str:
    """The expected input layout for ``nd`` spatial axes, quoted in error messages: ``"(N, C, H, W)"``.

    ``channels`` names the channel axis (a layer that knows how many it expects gives the number).
    """
    spatial = ", ".join(SPATIAL_NAMES[nd]) if nd in SPATIAL_NAMES else f"*{nd} spatial axes"
    return f"(N, {channels}, {spatial})"


def as_array(x, name: str, nd: int, what: str | None = None) -> np.ndarray:
    """``x`` as a real float array with ``nd + 2`` axes, or a clear error."""
    arr = as_real_array(x, name)
    check_ndim(arr, name, nd + 2, what or layout(nd))
    return arr


def as_bias(bias, name: str, channels: int, weight_shape: tuple[int, ...]) -> np.ndarray | None:
    """``None`` or a 1-D array of length ``channels``."""
    if bias is None:
        return None
    b = as_real_array(bias, name)
    if b.shape != (channels,):
        raise ValueError(
            f"{name} must have shape ({channels},) (one value per output channel of weight with shape "
            f"{weight_shape}), got shape {b.shape}"
        )
    return b


def common_dtype(*arrays: np.ndarray | None) -> np.dtype:
    """float32 when every given array is float32, float64 otherwise."""
    return result_dtype(*[a for a in arrays if a is not None])


def cast(a: np.ndarray | None, dtype: np.dtype) -> np.ndarray | None:
    """``a`` in ``dtype`` (no copy when it already is)."""
    return None if a is None else a.astype(dtype, copy=False)


def conv_padding(padding, nd: int, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]):
    """Per-axis ``(low, high)`` zero padding of a convolution.

    ``padding`` is an int, a tuple of ``nd`` ints, ``"valid"`` (no padding) or ``"same"`` (output size
    equals input size; stride 1 only). As in PyTorch, ``"same"`` pads ``d (k - 1)`` in total per axis,
    ``d (k - 1) // 2`` before and the rest (one more when the total is odd) after.
    """
    if isinstance(padding, str):
        check_choice(padding, "padding", ("valid", "same"))
        if padding == "valid":
            return tuple((0, 0) for _ in range(nd))
        if any(s != 1 for s in stride):
            raise ValueError(f"padding='same' is not supported for strided convolutions; got stride={stride}")
        return tuple(same_padding(k, d) for k, d in zip(kernel, dilation, strict=True))
    p = as_int_tuple(padding, nd, "padding", minimum=0)
    return tuple((v, v) for v in p)


def kernel_misfit(spatial, kernel, dilation, pads) -> tuple[int, int] | None:
    """The first spatial axis on which a (dilated) kernel is larger than the padded input, and the samples it
    spans there; None when it fits on every axis. The rule behind :func:`check_kernel_fits` and
    :func:`~convlearn.nn.functional.arithmetic.conv_output_size`."""
    for axis, (n, k, d, (lo, hi)) in enumerate(zip(spatial, kernel, dilation, pads, strict=True)):
        extent = dilated_extent(k, d)
        if extent > n + lo + hi:
            return axis, extent
    return None


def check_kernel_fits(x_shape, kernel, dilation, pads, x_name="x", w_shape=None):
    """Raise ``ValueError`` if a (dilated) kernel is larger than the padded input on some axis."""
    misfit = kernel_misfit(x_shape[2:], kernel, dilation, pads)
    if misfit is not None:
        axis, extent = misfit
        n, (lo, hi) = x_shape[2 + axis], pads[axis]
        ws = f" (weight shape {w_shape})" if w_shape is not None else ""
        raise ValueError(
            f"kernel size {kernel}{ws} with dilation {dilation} spans {extent} samples on spatial axis "
            f"{axis}, larger than the padded input {n} + {lo} + {hi} = {n + lo + hi} of {x_name} with shape "
            f"{tuple(x_shape)}"
        )


def out_shape(spatial, kernel, stride, pads, dilation, ceil_mode: bool = False) -> tuple[int, ...]:
    """Output spatial shape of a convolution or pooling (:func:`geometry.output_size` on every axis)."""
    return tuple(
        output_size(n, k, s, lo, hi, d, ceil_mode)
        for n, k, s, (lo, hi), d in zip(spatial, kernel, stride, pads, dilation, strict=True)
    )


def check_conv_channels(x_shape, w_shape, groups: int, nd: int):
    """Channel bookkeeping of a convolution: returns ``C_out``."""
    c_in = x_shape[1]
    c_out = w_shape[0]
    if c_in % groups:
        raise ValueError(f"input channels C_in={c_in} of x with shape {tuple(x_shape)} are not divisible by "
                         f"groups={groups}")
    if c_out % groups:
        raise ValueError(f"output channels C_out={c_out} of weight with shape {tuple(w_shape)} are not divisible "
                         f"by groups={groups}")
    if w_shape[1] * groups != c_in:
        raise ValueError(
            f"weight with shape {tuple(w_shape)} {WEIGHT_LAYOUTS.get(nd, '')} expects C_in/groups = {w_shape[1]} "
            f"input channels per group, i.e. C_in = {w_shape[1] * groups} with groups={groups}, but x with "
            f"shape {tuple(x_shape)} has C_in={c_in}"
        )
    return c_out


def as_bool(value, name: str) -> bool:
    """``value`` if it is a bool (Python or NumPy); a TypeError otherwise (no truthiness of strings or None)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool (True or False), got {value!r} of type {type(value).__name__}")
    return bool(value)


def is_depthwise(c_in: int, c_out: int, groups: int) -> bool:
    """``groups == C_in == C_out`` (> 1): one filter per channel."""
    return groups > 1 and groups == c_in == c_out


def check_grad_out(grad_out: np.ndarray, expected: tuple[int, ...], what: str) -> None:
    if grad_out.shape != tuple(expected):
        raise ValueError(
            f"grad_out must have the shape of the {what} output, {tuple(expected)}, got shape {grad_out.shape}"
        )


__all__ = [
    "SPATIAL_NAMES",
    "TRANSPOSED_WEIGHT_LAYOUTS",
    "WEIGHT_LAYOUTS",
    "as_array",
    "as_bias",
    "as_bool",
    "cast",
    "check_conv_channels",
    "check_grad_out",
    "check_kernel_fits",
    "common_dtype",
    "conv_padding",
    "is_depthwise",
    "kernel_misfit",
    "layout",
    "out_shape",
]
