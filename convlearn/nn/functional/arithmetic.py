"""Convolution arithmetic: output sizes and receptive fields (one spatial axis at a time).

Output size of a convolution with input size ``i``, kernel ``k``, stride ``s``, zero padding ``p`` on both
sides and dilation ``d`` (Dumoulin & Visin's relationships, generalised with dilation):

    o = floor((i + 2p - d (k - 1) - 1) / s) + 1

and of the transposed convolution that goes back (``a`` = ``output_padding`` picks one of the ``s`` input
sizes that the strided convolution maps to the same ``o``):

    i = (o - 1) s - 2p + d (k - 1) + a + 1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from convlearn._validation import as_axis_geometry, as_nonnegative_int, as_positive_int

from . import _args
from .geometry import check_output_padding, dilated_extent, output_size, transpose_output_size

__all__ = [
    "conv_output_size",
    "conv_transpose_output_size",
    "LayerGeometry",
    "ReceptiveField",
    "receptive_field",
]


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1) -> int:
    """Number of outputs along one axis of a convolution.

    Parameters
    ----------
    size : int
        Input length ``i`` (>= 1).
    kernel_size : int
        ``k`` (>= 1).
    stride : int, default 1
    padding : int, "valid" or "same", default 0
        Zeros on each side; ``"same"`` (stride 1 only) gives ``o = i``.
    dilation : int, default 1

    Returns
    -------
    int
        ``floor((i + 2p - d (k - 1) - 1) / s) + 1``.

    Raises
    ------
    ValueError
        If the dilated kernel ``d (k - 1) + 1`` is longer than the padded input ``i + 2p``, or a value is
        out of range.

    Examples
    --------
    >>> conv_output_size(5, 3, stride=2, padding=1)
    3
    """
    i = as_positive_int(size, "size")
    k = as_positive_int(kernel_size, "kernel_size")
    s = as_positive_int(stride, "stride")
    d = as_positive_int(dilation, "dilation")
    if not isinstance(padding, str):
        padding = as_nonnegative_int(padding, "padding")
    pads = _args.conv_padding(padding, 1, (k,), (s,), (d,))
    if _args.kernel_misfit((i,), (k,), (d,), pads) is not None:
        lo, hi = pads[0]
        raise ValueError(
            f"kernel_size={k} with dilation={d} spans {dilated_extent(k, d)} samples, more than the padded input "
            f"size {i} + {lo + hi} = {i + lo + hi}"
        )
    return output_size(i, k, s, *pads[0], d)


def conv_transpose_output_size(size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1) -> int:
    """Number of outputs along one axis of a transposed convolution.

    Parameters
    ----------
    size : int
        Input length ``o`` of the transposed convolution (the output length of the convolution it undoes).
    kernel_size, stride, padding, dilation : int
        Those of that convolution.
    output_padding : int, default 0
        Extra samples at the end (``a``), smaller than the stride or the dilation.

    Returns
    -------
    int
        ``(o - 1) s - 2p + d (k - 1) + a + 1``.

    Examples
    --------
    >>> conv_transpose_output_size(3, 3, stride=2, padding=1)
    5
    >>> conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1)
    6
    """
    o, k, s, p, d, a = as_axis_geometry(size, kernel_size, stride, padding, dilation, output_padding)
    check_output_padding(a, s, d)
    out = transpose_output_size(o, k, s, p, a, d)
    if out < 1:
        raise ValueError(
            f"transposed convolution of size {o} with kernel_size={k}, stride={s}, padding={p}, "
            f"output_padding={a}, dilation={d} would have output size {out} < 1 (padding too large)"
        )
    return out


@dataclass(frozen=True)
class LayerGeometry:
    """Geometry of one convolution or pooling layer along one axis.

    Attributes
    ----------
    kernel_size : int
    stride : int
    padding : int
        Zeros before the first sample (the ``p`` of ``o = floor((i + 2p - d (k-1) - 1)/s) + 1``).
    dilation : int
    """

    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1

    def __post_init__(self):
        object.__setattr__(self, "kernel_size", as_positive_int(self.kernel_size, "kernel_size"))
        object.__setattr__(self, "stride", as_positive_int(self.stride, "stride"))
        object.__setattr__(self, "padding", as_nonnegative_int(self.padding, "padding"))
        object.__setattr__(self, "dilation", as_positive_int(self.dilation, "dilation"))

    @property
    def extent(self) -> int:
        """Samples spanned by the dilated kernel, ``d (k - 1) + 1``."""
        return dilated_extent(self.kernel_size, self.dilation)


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field of the units of one layer, in input samples (one axis).

    Attributes
    ----------
    size : int
        Number of input samples that one unit sees, ``r``.
    jump : int
        Distance in the input between the receptive fields of neighbouring units, ``j`` (the product of
        the strides so far).
    start : int
        Input index of the first sample seen by unit 0 (negative: it starts in the padding). Unit ``u`` sees
        the input samples ``start + u·jump, ..., start + u·jump + size - 1``.
    """

    size: int
    jump: int
    start: int

    @property
    def centre(self) -> float:
        """Input coordinate of the centre of unit 0's receptive field."""
        return self.start + (self.size - 1) / 2

    def span(self, unit: int) -> tuple[int, int]:
        """``(first, last)`` input index seen by output unit ``unit`` (inclusive)."""
        first = self.start + unit * self.jump
        return first, first + self.size - 1


def receptive_field(layers: Sequence[LayerGeometry]) -> list[ReceptiveField]:
    """Receptive field after each layer of a stack of convolutions/poolings (one axis).

    Starting from the input (size 1, jump 1, start 0), layer ``l`` with kernel ``k``, stride ``s``,
    padding ``p`` and dilation ``d`` gives

        r_l = r_{l-1} + d (k - 1) j_{l-1},    j_l = j_{l-1} s,    start_l = start_{l-1} - p j_{l-1}.

    Parameters
    ----------
    layers : sequence of LayerGeometry
        From the input towards the output. Plain tuples ``(k, s, p, d)`` (or shorter) are accepted.

    Returns
    -------
    list of ReceptiveField
        One per layer, in the same order.

    Examples
    --------
    >>> [rf.size for rf in receptive_field([LayerGeometry(3), LayerGeometry(3)])]
    [3, 5]
    """
    if isinstance(layers, (LayerGeometry, str)) or not isinstance(layers, Sequence):
        raise TypeError(f"layers must be a sequence of LayerGeometry, got {type(layers).__name__}")
    out = []
    size, jump, start = 1, 1, 0
    for idx, layer in enumerate(layers):
        if not isinstance(layer, LayerGeometry):
            if isinstance(layer, Sequence) and not isinstance(layer, str) and 1 <= len(layer) <= 4:
                layer = LayerGeometry(*layer)
            else:
                raise TypeError(f"layers[{idx}] must be a LayerGeometry, got {layer!r}")
        size = size + (layer.extent - 1) * jump
        start = start - layer.padding * jump
        jump = jump * layer.stride
        out.append(ReceptiveField(size=size, jump=jump, start=start))
    return out
