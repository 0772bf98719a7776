"""The geometry rules of convolution and pooling, one axis at a time: the one home of every formula.

The lowest layer of :mod:`convlearn.nn.functional`: plain integer arithmetic, no arrays. Every other
module (the operations, their set-ups, :mod:`~convlearn.nn.functional.arithmetic`, the layers in
:mod:`convlearn.nn` and the diagrams in :mod:`convlearn.viz`) calls these functions instead of writing a
formula out again.

With input length ``n``, kernel size ``k``, stride ``s``, dilation ``d`` and ``lo``/``hi`` samples of
padding before/after (Dumoulin & Visin's relationships, generalised with dilation):

* a dilated kernel spans ``e = d (k - 1) + 1`` samples (:func:`dilated_extent`), and ``o`` positions ``s``
  apart span ``(o - 1) s + 1`` (:func:`strided_span`);
* a convolution has ``o = floor((n + lo + hi - e) / s) + 1`` outputs (:func:`output_size`); pooling with
  ``ceil_mode`` rounds up instead, dropping a last window that would start in the right padding;
* ``"same"`` padding adds ``e - 1`` samples in total, ``(e - 1) // 2`` before and the rest after
  (:func:`same_padding`);
* the transposed convolution of ``o`` samples has ``(o - 1) s - 2p + e + a`` outputs
  (:func:`transpose_output_size`), where the output padding ``a`` must be smaller than the stride or
  the dilation (:func:`check_output_padding`).
"""

from __future__ import annotations

__all__ = [
    "dilated_extent",
    "strided_span",
    "same_padding",
    "output_size",
    "transpose_output_size",
    "output_padding_ok",
    "check_output_padding",
]


def dilated_extent(kernel_size: int, dilation: int = 1) -> int:
    """Samples spanned by a kernel of ``kernel_size`` taps spaced ``dilation`` apart: ``d (k - 1) + 1``."""
    return dilation * (kernel_size - 1) + 1


def strided_span(count: int, stride: int = 1) -> int:
    """Samples from the first to the last of ``count`` positions ``stride`` apart: ``(count - 1) s + 1``.

    The input samples that one kernel tap reads over ``count`` outputs, and the length of an input with
    ``s - 1`` zeros inserted between its samples (a transposed convolution).
    """
    return (count - 1) * stride + 1


def same_padding(kernel_size: int, dilation: int = 1) -> tuple[int, int]:
    """``(before, after)`` padding of ``"same"`` (stride 1): ``d (k - 1)`` in total, the odd sample after.

    This is PyTorch's split: ``before = d (k - 1) // 2``, ``after = d (k - 1) - before``.
    """
    total = dilated_extent(kernel_size, dilation) - 1
    return total // 2, total - total // 2


def output_size(size: int, kernel_size: int, stride: int = 1, pad_before: int = 0, pad_after: int = 0,
                dilation: int = 1, ceil_mode: bool = False) -> int:
    """Number of windows along one axis: ``floor((n + lo + hi - d (k - 1) - 1) / s) + 1``.

    With ``ceil_mode`` (pooling) the division rounds up, and a last window that would start at or beyond
    ``n + lo`` (entirely in the right padding) is dropped, as in PyTorch. The caller checks that the
    result is at least 1 (see :func:`dilated_extent`).
    """
    span = size + pad_before + pad_after - dilated_extent(kernel_size, dilation)
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad_before:
        out -= 1
    return out


def transpose_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                          output_padding: int = 0, dilation: int = 1) -> int:
    """Output length of a transposed convolution: ``(o - 1) s - 2p + d (k - 1) + a + 1``.

    The inverse of :func:`output_size` for the convolution with the same hyper-parameters: of the ``s``
    input lengths that a stride-``s`` convolution maps to ``o``, ``output_padding = a`` picks the
    ``a``-th smallest.
    """
    return (size - 1) * stride - 2 * padding + dilated_extent(kernel_size, dilation) + output_padding


def output_padding_ok(output_padding: int, stride: int, dilation: int) -> bool:
    """PyTorch's rule: the output padding must be smaller than either the stride or the dilation."""
    return output_padding < stride or output_padding < dilation


def check_output_padding(output_padding, stride, dilation) -> None:
    """Raise ``ValueError`` unless :func:`output_padding_ok` holds on every axis.

    Each argument is an int or a tuple of ints (one per spatial axis, all of the same length).
    """
    ops, strides, dilations = (v if isinstance(v, tuple) else (v,) for v in (output_padding, stride, dilation))
    for axis, (a, s, d) in enumerate(zip(ops, strides, dilations, strict=True)):
        if not output_padding_ok(a, s, d):
            where = f" (axis {axis})" if len(ops) > 1 else ""
            raise ValueError(
                f"output_padding must be smaller than either stride or dilation; got output_padding={output_padding}, "
                f"stride={stride}, dilation={dilation}{where}"
            )
