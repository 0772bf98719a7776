"""Grid diagrams for convolution arithmetic and receptive fields (book part II); the live explorers that draw
the same geometry in the browser are :class:`convlearn.viz.widgets.ArithmeticExplorer` and
:class:`convlearn.viz.widgets.ReceptiveFieldExplorer`.

Every diagram draws one spatial axis pair of a 2-D convolution the way Dumoulin & Visin (2016) do:
the (padded) input as a grid of cells, the kernel taps that one output cell reads, and the output
grid beside it. A transposed convolution is drawn as the *equivalent direct convolution* over an
input with ``stride - 1`` zeros inserted between its cells and ``dilation * (kernel_size - 1) - padding``
cells of padding on each side (plus ``output_padding`` at the end).

The geometry (:func:`conv_layout`) is plain NumPy and is what the tests check; the drawing functions
only render it. Output sizes come from :func:`convlearn.nn.functional.conv_output_size` and
:func:`convlearn.nn.functional.conv_transpose_output_size` -- the formulas are not repeated here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from convlearn._validation import as_axis_geometry, as_positive_int
from convlearn.nn.functional import (
    LayerGeometry,
    conv_output_size,
    conv_transpose_output_size,
    receptive_field,
)
from convlearn.nn.functional.geometry import check_output_padding, dilated_extent, strided_span

__all__ = [
    "PAD",
    "INPUT",
    "INSERTED",
    "ConvLayout",
    "conv_layout",
    "draw_layout",
    "arithmetic_figure",
    "receptive_field_units",
    "receptive_field_figure",
]

#: Cell kinds in :attr:`ConvLayout.kinds`.
PAD, INPUT, INSERTED = 0, 1, 2

_COLOURS = {
    PAD: (0.93, 0.93, 0.93),
    INPUT: (0.62, 0.78, 0.93),
    INSERTED: (1.0, 1.0, 1.0),
}
_TAP = (0.95, 0.55, 0.15)
_OUT = (0.55, 0.80, 0.55)
_OUT_SEL = (0.20, 0.55, 0.20)


@dataclass(frozen=True)
class ConvLayout:
    """The geometry of a square 2-D convolution drawn as a direct, stride-``step`` sliding window.

    Attributes
    ----------
    input_size, kernel_size, stride, padding, dilation, output_padding : int
        The hyper-parameters the layout was built from (per axis; the diagram is square).
    transposed : bool
        Whether this is a transposed convolution drawn as its equivalent direct convolution.
    kinds : numpy.ndarray of int, shape (G, G)
        The grid the kernel slides over: :data:`PAD` (padding), :data:`INPUT` (an input cell) or
        :data:`INSERTED` (a zero inserted between input cells by a transposed convolution).
    step : int
        The stride of the sliding window over ``kinds`` (``stride`` for a direct convolution, 1 for a
        transposed one).
    output_size : int
        Number of output cells per axis.
    """

    input_size: int
    kernel_size: int
    stride: int
    padding: int
    dilation: int
    output_padding: int
    transposed: bool
    kinds: np.ndarray
    step: int
    output_size: int

    def taps(self, i: int, j: int) -> list[tuple[int, int]]:
        """Grid cells ``(row, col)`` read by output cell ``(i, j)``, in kernel order ``(a, b)`` row-major.

        Tap ``(a, b)`` of the kernel sits at row ``i * step + a * dilation`` and column
        ``j * step + b * dilation`` of :attr:`kinds`.
        """
        n = self.output_size
        if not (0 <= i < n and 0 <= j < n):
            raise ValueError(f"output cell (i, j) must lie in the {n}x{n} output, got ({i}, {j})")
        k, d, s = self.kernel_size, self.dilation, self.step
        return [(i * s + a * d, j * s + b * d) for a in range(k) for b in range(k)]

    def input_cells(self, i: int, j: int) -> list[tuple[int, int]]:
        """The *input* cells (original coordinates, padding and inserted zeros excluded) under the taps."""
        cells = []
        off, s_in = self._input_offset_and_spacing()
        for r, c in self.taps(i, j):
            if self.kinds[r, c] == INPUT:
                cells.append(((r - off) // s_in, (c - off) // s_in))
        return cells

    def _input_offset_and_spacing(self) -> tuple[int, int]:
        if self.transposed:
            return dilated_extent(self.kernel_size, self.dilation) - 1 - self.padding, self.stride
        return self.padding, 1


def conv_layout(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    output_padding: int = 0,
    transposed: bool = False,
) -> ConvLayout:
    """Build the grid of a square convolution (or transposed convolution) for drawing.

    Parameters
    ----------
    input_size : int
        Input cells per axis, ``H = W``.
    kernel_size : int
        Kernel taps per axis, ``k``.
    stride, padding, dilation : int, optional
        ``s >= 1``, ``p >= 0`` (per side), ``d >= 1``.
    output_padding : int, optional
        Only for ``transposed=True``: extra cells at the end of each axis, ``0 <= output_padding <
        max(stride, dilation)`` (the rule PyTorch uses).
    transposed : bool, optional
        Draw the transposed convolution with these hyper-parameters.

    Returns
    -------
    ConvLayout

    Raises
    ------
    ValueError
        If a size is not positive, the kernel does not fit the padded input, or (transposed) the
        padding exceeds ``dilation * (kernel_size - 1)`` so that the equivalent direct convolution
        would need negative padding.
    """
    n, k, s, p, d, op = as_axis_geometry(input_size, kernel_size, stride, padding, dilation, output_padding,
                                         size_name="input_size")
    if not transposed:
        if op:
            raise ValueError(f"output_padding only applies to transposed=True, got output_padding={op}")
        out = conv_output_size(n, k, stride=s, padding=p, dilation=d)
        kinds = np.full((n + 2 * p, n + 2 * p), PAD, dtype=int)
        kinds[p : p + n, p : p + n] = INPUT
        return ConvLayout(n, k, s, p, d, 0, False, kinds, s, out)
    check_output_padding(op, s, d)
    edge = dilated_extent(k, d) - 1 - p
    if edge < 0:
        raise ValueError(
            f"padding={p} exceeds dilation*(kernel_size-1)={edge + p}: the transposed convolution crops its "
            "output and has no zero-padded direct equivalent to draw"
        )
    out = conv_transpose_output_size(n, k, stride=s, padding=p, output_padding=op, dilation=d)
    stretched = strided_span(n, s)
    g = stretched + 2 * edge + op
    kinds = np.full((g, g), PAD, dtype=int)
    kinds[edge : edge + stretched, edge : edge + stretched] = INSERTED
    idx = edge + s * np.arange(n)
    kinds[np.ix_(idx, idx)] = INPUT
    return ConvLayout(n, k, s, p, d, op, True, kinds, 1, out)


def _grid_image(shape: tuple[int, int], base: np.ndarray) -> np.ndarray:
    img = np.empty((*shape, 3))
    for kind, colour in _COLOURS.items():
        img[base == kind] = colour
    return img


def _draw_grid(ax, img: np.ndarray, title: str) -> None:
    h, w = img.shape[:2]
    ax.imshow(img, origin="upper", extent=(-0.5, w - 0.5, h - 0.5, -0.5), interpolation="nearest")
    # cell borders as two line collections (much cheaper to draw than minor-tick grids)
    ax.hlines(np.arange(-0.5, h), -0.5, w - 0.5, color="0.35", linewidth=0.8)
    ax.vlines(np.arange(-0.5, w), -0.5, h - 0.5, color="0.35", linewidth=0.8)
    step = max(1, (max(h, w) + 5) // 6)
    xt, yt = np.arange(0, w, step), np.arange(0, h, step)
    ax.set_xticks(xt, [str(v) for v in xt])  # fixed labels: no tick-formatter work at draw time
    ax.set_yticks(yt, [str(v) for v in yt])
    ax.tick_params(labelsize=7, length=2)
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_xlabel("column", fontsize=8)
    ax.set_ylabel("row", fontsize=8)
    ax.set_title(title, fontsize=9)


def draw_layout(axes, layout: ConvLayout, cell: tuple[int, int] = (0, 0)) -> None:
    """Draw ``layout`` into two axes: the grid with the taps of output ``cell``, and the output grid.

    Parameters
    ----------
    axes : sequence of two matplotlib Axes
        Left: the (padded / zero-inserted) input; right: the output.
    layout : ConvLayout
        From :func:`conv_layout`.
    cell : tuple of int, optional
        The output cell ``(i, j)`` whose taps are highlighted.
    """
    ax_in, ax_out = axes
    ax_in.clear()
    ax_out.clear()
    i, j = cell
    taps = layout.taps(i, j)
    img = _grid_image(layout.kinds.shape, layout.kinds)
    for r, c in taps:
        img[r, c] = 0.55 * np.asarray(_TAP) + 0.45 * img[r, c]
    what = "zero-inserted, padded input" if layout.transposed else "padded input"
    _draw_grid(ax_in, img, f"{what} ({layout.kinds.shape[0]}x{layout.kinds.shape[1]})")
    for a, (r, c) in enumerate(taps):
        ax_in.text(c, r, f"{a // layout.kernel_size},{a % layout.kernel_size}", ha="center", va="center", fontsize=6)
    n = layout.output_size
    out = np.empty((n, n, 3))
    out[:] = _OUT
    out[i, j] = _OUT_SEL
    _draw_grid(ax_out, out, f"output ({n}x{n}), cell ({i}, {j})")


def _caption(layout: ConvLayout) -> str:
    base = f"i={layout.input_size}, k={layout.kernel_size}, s={layout.stride}, p={layout.padding}, d={layout.dilation}"
    if layout.transposed:
        return f"transposed: {base}, output_padding={layout.output_padding} -> o={layout.output_size}"
    return f"{base} -> o={layout.output_size}"


def arithmetic_figure(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    output_padding: int = 0,
    transposed: bool = False,
    cell: tuple[int, int] = (0, 0),
    figsize: tuple[float, float] = (7.0, 3.4),
):
    """A two-panel figure of one convolution's geometry (see :func:`draw_layout`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    layout = conv_layout(
        input_size,
        kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        output_padding=output_padding,
        transposed=transposed,
    )
    fig, axes = _layout_axes(layout, figsize=figsize)
    draw_layout(axes, layout, cell)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.82, wspace=0.3)
    return fig


def _layout_axes(layout, *, figsize, dpi=None):
    """The two side-by-side axes (input grid, output grid) sized to ``layout``, with its caption."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1,
        2,
        figsize=figsize,
        dpi=dpi,
        gridspec_kw={"width_ratios": [layout.kinds.shape[0], max(3, layout.output_size)]},
    )
    fig.suptitle(_caption(layout), fontsize=10)
    return fig, axes


def receptive_field_units(layers: Sequence[LayerGeometry], input_length: int, unit: int) -> list[np.ndarray]:
    """Which units of every layer of a 1-D stack feed one unit of the last layer.

    Parameters
    ----------
    layers : sequence of LayerGeometry
        The stack, first layer first.
    input_length : int
        Length of the input signal.
    unit : int
        Index of the unit in the last layer's output.

    Returns
    -------
    list of numpy.ndarray of bool
        ``masks[0]`` over the input, ``masks[l]`` over layer ``l``'s output (``len(layers) + 1`` masks);
        ``True`` where the unit depends on that position (padding positions are not counted).
    """
    sizes = [as_positive_int(input_length, "input_length")]
    for g in layers:
        sizes.append(
            conv_output_size(sizes[-1], g.kernel_size, stride=g.stride, padding=g.padding, dilation=g.dilation)
        )
    if not 0 <= unit < sizes[-1]:
        raise ValueError(f"unit must index the last layer's output of length {sizes[-1]}, got {unit}")
    masks = [np.zeros(n, dtype=bool) for n in sizes]
    masks[-1][unit] = True
    for level in range(len(layers), 0, -1):
        g = layers[level - 1]
        for o in np.flatnonzero(masks[level]):
            for a in range(g.kernel_size):
                pos = o * g.stride - g.padding + a * g.dilation
                if 0 <= pos < sizes[level - 1]:
                    masks[level - 1][pos] = True
    return masks


def receptive_field_figure(layers: Sequence[LayerGeometry], input_length: int, unit: int | None = None, *, ax=None):
    """Draw a 1-D stack as rows of units with the cone of inputs feeding one top unit.

    The analytic size from :func:`convlearn.nn.functional.receptive_field` is written in each row's label
    so that the picture and the formula can be compared.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    fields = receptive_field(layers)
    sizes = [input_length]
    for g in layers:
        sizes.append(
            conv_output_size(sizes[-1], g.kernel_size, stride=g.stride, padding=g.padding, dilation=g.dilation)
        )
    if unit is None:
        unit = sizes[-1] // 2
    masks = receptive_field_units(layers, input_length, unit)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 1 + 0.8 * len(sizes)))
    # place every unit at the centre of the input span it "looks at", so that rows line up
    positions = [np.arange(sizes[0], dtype=float)]
    for level in range(1, len(sizes)):
        rf = fields[level - 1]
        positions.append(rf.centre + rf.jump * np.arange(sizes[level]))
    for level, (pos, mask) in enumerate(zip(positions, masks, strict=True)):
        ax.scatter(pos[~mask], np.full((~mask).sum(), level), s=30, facecolor="white", edgecolor="0.5", zorder=3)
        ax.scatter(
            pos[mask], np.full(mask.sum(), level), s=36, color=_TAP if level < len(layers) else _OUT_SEL, zorder=4
        )
        if level:
            g = layers[level - 1]
            for o in np.flatnonzero(mask):
                for a in range(g.kernel_size):
                    src = o * g.stride - g.padding + a * g.dilation
                    if 0 <= src < sizes[level - 1]:
                        ax.plot([positions[level - 1][src], pos[o]], [level - 1, level], color="0.6", lw=0.7, zorder=1)
    labels = ["input"] + [
        f"layer {n} (k={g.kernel_size}, s={g.stride}, d={g.dilation}): r={rf.size}"
        for n, (g, rf) in enumerate(zip(layers, fields, strict=True), start=1)
    ]
    ax.set_yticks(range(len(sizes)), labels)
    ax.set_xlabel("position in the input signal (units centred on their receptive field)")
    ax.set_ylabel("layer")
    ax.set_title(f"unit {unit} of the last layer sees {int(masks[0].sum())} input samples")
    return ax
