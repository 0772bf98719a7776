"""Diagrams with numbers: the figures that show *what is computed*, cell by cell.

Every number written in these figures is computed by convlearn itself (``conv2d``, ``max_pool2d``,
``im2col``, a model's own ``forward``), never by code in this module, so a figure cannot disagree with
the library it illustrates. Each function returns a :class:`Diagram`: the matplotlib figure and the
arrays whose values it shows, so that tests (and readers) can check one against the other.

* :func:`index_map_figure` -- centred kernel indices ``(m, n)`` and array indices ``[r, c]``;
* :func:`multichannel_conv_figure` -- a multi-channel convolution with numbers (input volume,
  two filters, bias, output volume), in the spirit of the CS231n volume demo;
* :func:`max_pool_figure` -- max pooling with numbers, each window and its maximum in one colour;
* :func:`im2col_figure` -- the im2col rearrangement and the matrix product that replaces the sums;
* :func:`architecture_figure` -- a network's layers with the shapes its ``forward`` really produces;
* :func:`neuron_figure` -- one neuron: inputs, weights, bias, weighted sum and ReLU, with numbers;
* :func:`layer_matrix_figure` -- a linear layer as ``z = W x + b``, each neuron a row of ``W``;
* :func:`mlp_figure` -- a multilayer perceptron as columns of units, with its layer sizes and parameters;
* :func:`backprop_graph_figure` -- the computational graph of a small network with the forward values and
  the gradients of its backward pass written on it;
* :func:`sampling_grids_figure` -- the sample grids of a Riemann-sum convolution: where ``x[m]``, ``k[j]``
  and the outputs ``t_n`` sit on the time axis, and why the outputs start at ``2a``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from convlearn.nn import functional as F

__all__ = [
    "Diagram",
    "index_map_figure",
    "multichannel_conv_figure",
    "max_pool_figure",
    "im2col_figure",
    "architecture_figure",
    "neuron_figure",
    "layer_matrix_figure",
    "mlp_figure",
    "backprop_graph_figure",
    "sampling_grids_figure",
]

#: One colour per window / output cell (colour-blind friendly qualitative palette).
_PALETTE = [
    (0.00, 0.45, 0.70),
    (0.90, 0.62, 0.00),
    (0.00, 0.62, 0.45),
    (0.80, 0.47, 0.65),
    (0.34, 0.71, 0.91),
    (0.84, 0.37, 0.00),
    (0.94, 0.89, 0.26),
    (0.50, 0.50, 0.50),
]
_PAD = (0.90, 0.90, 0.90)
_CELL = (1.0, 1.0, 1.0)
_HIGHLIGHT = (1.0, 0.80, 0.55)


@dataclass
class Diagram:
    """A figure and the numbers it shows.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    values : dict of str -> ndarray or object
        The arrays drawn, by role (e.g. ``"input"``, ``"output"``); each was computed by convlearn.
    """

    fig: object
    values: dict = field(default_factory=dict)

    def _repr_png_(self):  # a Diagram as the last value of a notebook cell shows its figure
        from convlearn.viz.plots import figure_to_png

        return figure_to_png(self.fig, dpi=80)


def _fmt(v: float) -> str:
    """Integers without decimals, other values with two significant decimals; never '-0'."""
    v = float(v) + 0.0
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}"


def _number_grid(ax, values: np.ndarray, *, colours=None, title: str = "", xlabel: str = "column",
                 ylabel: str = "row", fontsize: float = 8, bold=None, first_row: int = 0, first_col: int = 0):
    """Draw a 2-D array as a grid of cells with each value written in its cell.

    ``colours`` is an ``(h, w, 3)`` array of cell colours (white by default); ``bold`` a boolean mask of
    cells written in bold; ``first_row``/``first_col`` are the index labels of the first row/column.
    """
    values = np.asarray(values, dtype=float)
    h, w = values.shape
    img = np.ones((h, w, 3)) if colours is None else np.asarray(colours, dtype=float)
    ax.imshow(img, origin="upper", extent=(-0.5, w - 0.5, h - 0.5, -0.5), interpolation="nearest")
    ax.hlines(np.arange(-0.5, h), -0.5, w - 0.5, color="0.3", linewidth=0.7)
    ax.vlines(np.arange(-0.5, w), -0.5, h - 0.5, color="0.3", linewidth=0.7)
    for (r, c), v in np.ndenumerate(values):
        weight = "bold" if bold is not None and bold[r, c] else "normal"
        ax.text(c, r, _fmt(v), ha="center", va="center", fontsize=fontsize, fontweight=weight)
    ax.set_xticks(range(w), [str(first_col + c) for c in range(w)])
    ax.set_yticks(range(h), [str(first_row + r) for r in range(h)])
    ax.tick_params(labelsize=6, length=2)
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_xlabel(xlabel, fontsize=7)
    ax.set_ylabel(ylabel, fontsize=7)
    if title:
        ax.set_title(title, fontsize=8)


def _outline(ax, r0: int, c0: int, h: int, w: int, colour, lw: float = 2.2) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), w, h, fill=False, ec=colour, lw=lw))


# --------------------------------------------------------------------------- centred <-> array indices
def index_map_figure(kernel=None, *, shape: tuple[int, int] = (3, 5)) -> Diagram:
    """The two ways of indexing a kernel: centred ``(m, n)`` and array ``[r, c]``.

    Part I indexes a kernel of odd size ``(2M + 1, 2N + 1)`` from its centre, ``m = -M..M`` and
    ``n = -N..N``; the array that stores it (and Part II) counts from 0, ``r = 0..2M`` and
    ``c = 0..2N``. The map is ``r = m + M``, ``c = n + N``: this is how
    :func:`convlearn.signal.reference.centred_sum` reads ``K(m, n)`` from ``kernel[M + m, N + n]``.

    Parameters
    ----------
    kernel : (2M + 1, 2N + 1) array_like, optional
        If given, its values are written in the cells too (and its shape replaces ``shape``).
    shape : (int, int), optional
        Odd kernel size ``(2M + 1, 2N + 1)`` when no kernel is given; default ``(3, 5)``.

    Returns
    -------
    Diagram
        ``values``: ``"m"``, ``"n"`` (centred indices of each cell, arrays of the kernel's shape),
        ``"r"``, ``"c"`` (array indices) and ``"kernel"`` (or ``None``).
    """
    import matplotlib.pyplot as plt

    if kernel is not None:
        kernel = np.asarray(kernel, dtype=float)
        if kernel.ndim != 2:
            raise ValueError(f"kernel must be 2-D (2M+1, 2N+1), got shape {kernel.shape}")
        shape = kernel.shape
    kh, kw = (int(s) for s in shape)
    if kh < 1 or kw < 1 or kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(f"shape (the kernel's size) must be odd along both axes, got {(kh, kw)}")
    M, N = kh // 2, kw // 2
    r, c = np.mgrid[0:kh, 0:kw]
    m, n = r - M, c - N
    fig, ax = plt.subplots(figsize=(1.25 * kw + 1.6, 0.95 * kh + 1.5), layout="constrained")
    colours = np.ones((kh, kw, 3))
    colours[M, N] = _HIGHLIGHT
    ax.imshow(colours, origin="upper", extent=(-0.5, kw - 0.5, kh - 0.5, -0.5), interpolation="nearest")
    ax.hlines(np.arange(-0.5, kh), -0.5, kw - 0.5, color="0.3", linewidth=0.7)
    ax.vlines(np.arange(-0.5, kw), -0.5, kh - 0.5, color="0.3", linewidth=0.7)
    for rr in range(kh):
        for cc in range(kw):
            ax.text(cc, rr - 0.22, f"({m[rr, cc]}, {n[rr, cc]})", ha="center", va="center", fontsize=8,
                    color="tab:blue")
            ax.text(cc, rr + 0.05, f"[{rr}, {cc}]", ha="center", va="center", fontsize=8, color="tab:red")
            if kernel is not None:
                ax.text(cc, rr + 0.3, _fmt(kernel[rr, cc]), ha="center", va="center", fontsize=8,
                        fontweight="bold")
    ax.set_xlim(-0.5, kw - 0.5)
    ax.set_ylim(kh - 0.5, -0.5)
    ax.set_xticks(range(kw), [str(v) for v in range(-N, N + 1)])
    ax.set_yticks(range(kh), [str(v) for v in range(-M, M + 1)])
    ax.set_xlabel("centred column index n", color="tab:blue", fontsize=8)
    ax.set_ylabel("centred row index m", color="tab:blue", fontsize=8)
    top = ax.secondary_xaxis("top")
    top.set_xticks(range(kw), [str(v) for v in range(kw)])
    top.set_xlabel(f"array column c = n + {N}", color="tab:red", fontsize=8)
    right = ax.secondary_yaxis("right")
    right.set_yticks(range(kh), [str(v) for v in range(kh)])
    right.set_ylabel(f"array row r = m + {M}", color="tab:red", fontsize=8)
    for axis in (ax, top, right):
        axis.tick_params(labelsize=7, length=2)
    return Diagram(fig, {"m": m, "n": n, "r": r, "c": c, "kernel": kernel})


# --------------------------------------------------------------------------- multi-channel convolution
def multichannel_conv_figure(x, weight, bias=None, *, stride: int = 1, padding: int = 0,
                             cell: tuple[int, int] = (0, 0)) -> Diagram:
    """One multi-channel convolution with every number shown: input volume, filters, bias, output volume.

    Rows of the figure are the input channels ``c``. Column 1 is the zero-padded input
    ``x_pad[c]``, then one column per filter ``w[o, c]``, then the output channels ``y[o]`` from
    :func:`convlearn.nn.functional.conv2d`. The window read by output ``cell`` and the output cell
    itself are outlined; the figure's title writes out that output value as the sum over the
    ``C_in`` channels of the window-times-filter sums, plus the bias.

    Parameters
    ----------
    x : (C_in, H, W) array_like
        One input (no batch axis).
    weight : (C_out, C_in, kH, kW) array_like
    bias : (C_out,) array_like, optional
        Zero if omitted.
    stride, padding : int
        As in :func:`~convlearn.nn.functional.conv2d` (same value on both axes).
    cell : (int, int)
        The output cell ``(i, j)`` explained in the title.

    Returns
    -------
    Diagram
        ``values``: ``"input"`` (C_in, H, W), ``"padded"`` (C_in, H + 2p, W + 2p), ``"weight"``,
        ``"bias"`` (C_out,), ``"output"`` (C_out, H_out, W_out) from ``conv2d``, ``"channel_sums"``
        (C_out, C_in): the window-times-filter sum of each channel at ``cell``.
    """
    import matplotlib.pyplot as plt

    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"x must be (C_in, H, W) (one input, no batch axis), got shape {x.shape}")
    if weight.ndim != 4 or weight.shape[1] != x.shape[0]:
        raise ValueError(f"weight must be (C_out, C_in, kH, kW) with C_in = {x.shape[0]} (x has shape {x.shape}), "
                         f"got shape {weight.shape}")
    c_out, c_in, kh, kw = weight.shape
    bias = np.zeros(c_out) if bias is None else np.asarray(bias, dtype=float)
    if bias.shape != (c_out,):
        raise ValueError(f"bias must have shape (C_out,) = ({c_out},), got {bias.shape}")
    y = F.conv2d(x[None], weight, bias, stride=stride, padding=padding)[0]
    i, j = cell
    if not (0 <= i < y.shape[1] and 0 <= j < y.shape[2]):
        raise ValueError(f"cell {cell} is outside the output of shape {y.shape[1:]}")
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    r0, c0 = i * stride, j * stride
    window = xp[:, r0:r0 + kh, c0:c0 + kw]
    channel_sums = np.einsum("chw,ochw->oc", window, weight)

    rows = max(c_in, c_out)
    ratios = [xp.shape[2]] + [kw] * c_out + [y.shape[2]]
    row_height = 0.3 * max(xp.shape[1], kh) + 0.8
    fig, axes = plt.subplots(rows, 2 + c_out, figsize=(1.2 + 0.42 * sum(ratios), row_height * rows + 0.5),
                             gridspec_kw={"width_ratios": ratios}, squeeze=False, layout="constrained")
    padmask = np.ones(xp.shape[1:], bool)
    padmask[padding:padding + x.shape[1], padding:padding + x.shape[2]] = False
    for c in range(rows):
        ax = axes[c, 0]
        if c < c_in:
            colours = np.ones((*xp.shape[1:], 3))
            colours[padmask] = _PAD
            colours[r0:r0 + kh, c0:c0 + kw] = _HIGHLIGHT
            _number_grid(ax, xp[c], colours=colours, title=f"input x_pad[c={c}]", first_row=-padding,
                         first_col=-padding)
            _outline(ax, r0, c0, kh, kw, "tab:red")
        else:
            ax.axis("off")
        for o in range(c_out):
            ax = axes[c, 1 + o]
            if c < c_in:
                _number_grid(ax, weight[o, c], colours=np.full((kh, kw, 3), _HIGHLIGHT),
                             title=f"filter w[o={o}, c={c}]", ylabel="tap row",
                             xlabel=f"tap column\nwindow·filter = {_fmt(channel_sums[o, c])}")
            else:
                ax.axis("off")
        ax = axes[c, 1 + c_out]
        if c < c_out:
            colours = np.ones((*y.shape[1:], 3))
            colours[i, j] = _HIGHLIGHT
            _number_grid(ax, y[c], colours=colours, title=f"output y[o={c}], b[{c}] = {_fmt(bias[c])}")
            _outline(ax, i, j, 1, 1, "tab:red")
        else:
            ax.axis("off")
    o = 0
    terms = " + ".join(f"({_fmt(v)})" if v < 0 else _fmt(v) for v in [*channel_sums[o], bias[o]])
    fig.suptitle(f"y[o={o}] at ({i}, {j}) = {terms} = {_fmt(y[o, i, j])}   (one window·filter sum per input "
                 f"channel, then the bias b[{o}]; stride {stride}, padding {padding})", fontsize=9)
    return Diagram(fig, {"input": x, "padded": xp, "weight": weight, "bias": bias, "output": y,
                         "channel_sums": channel_sums})


# --------------------------------------------------------------------------- max pooling
def max_pool_figure(x, kernel_size: int = 2, stride: int | None = None) -> Diagram:
    """Max pooling with numbers: each window of the input and its maximum in the output share a colour.

    Parameters
    ----------
    x : (H, W) array_like
        One channel of one input.
    kernel_size : int
        Window size (square).
    stride : int, optional
        Default ``kernel_size`` (non-overlapping windows, the usual case); with overlapping windows
        only the windows' outlines are coloured.

    Returns
    -------
    Diagram
        ``values``: ``"input"`` (H, W), ``"output"`` (H_out, W_out) from
        :func:`convlearn.nn.functional.max_pool2d`, ``"argmax"`` (H_out, W_out, 2): the input cell of
        each maximum (first one in reading order on ties).
    """
    import matplotlib.pyplot as plt

    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (H, W), got shape {x.shape}")
    k = int(kernel_size)
    s = k if stride is None else int(stride)
    y = F.max_pool2d(x[None, None], k, stride=s)[0, 0]
    ho, wo = y.shape
    argmax = np.zeros((ho, wo, 2), int)
    colours_in = np.ones((*x.shape, 3))
    colours_out = np.ones((ho, wo, 3))
    bold = np.zeros(x.shape, bool)
    for i in range(ho):
        for j in range(wo):
            colour = np.asarray(_PALETTE[(i * wo + j) % len(_PALETTE)])
            win = x[i * s:i * s + k, j * s:j * s + k]
            a, b = np.unravel_index(np.argmax(win), win.shape)
            argmax[i, j] = (i * s + a, j * s + b)
            bold[i * s + a, j * s + b] = True
            if s >= k:
                colours_in[i * s:i * s + k, j * s:j * s + k] = 0.35 * colour + 0.65
            colours_out[i, j] = 0.35 * colour + 0.65
    fig, (ax_in, ax_out) = plt.subplots(1, 2, figsize=(7.0, 3.3), layout="constrained",
                                        gridspec_kw={"width_ratios": [x.shape[1], max(wo, 2)]})
    _number_grid(ax_in, x, colours=colours_in, bold=bold, title=f"input ({x.shape[0]}x{x.shape[1]}); maxima in bold")
    for i in range(ho):
        for j in range(wo):
            _outline(ax_in, i * s, j * s, k, k, _PALETTE[(i * wo + j) % len(_PALETTE)])
    _number_grid(ax_out, y, colours=colours_out, title=f"max_pool2d, window {k}, stride {s} ({ho}x{wo})")
    return Diagram(fig, {"input": x, "output": y, "argmax": argmax})


# --------------------------------------------------------------------------- im2col
def im2col_figure(x, weight, *, stride: int = 1, padding: int = 0) -> Diagram:
    """The im2col rearrangement of one channel and the matrix product that computes the convolution.

    Panels: the input with every window outlined in its own colour; the matrix ``cols`` from
    :func:`convlearn.nn.functional.im2col` (one column per window, same colours, rows = kernel taps in
    reading order); the kernel flattened to a row; and the product ``w_row @ cols``, which equals
    ``conv2d(x, w)`` read in row-major order.

    Parameters
    ----------
    x : (H, W) array_like
        One channel of one input.
    weight : (kH, kW) array_like
        One kernel.
    stride, padding : int
        As in :func:`~convlearn.nn.functional.conv2d`.

    Returns
    -------
    Diagram
        ``values``: ``"input"``, ``"weight"``, ``"cols"`` (kH*kW, H_out*W_out) from ``im2col``,
        ``"product"`` (H_out*W_out,) ``= weight.ravel() @ cols``, ``"output"`` (H_out, W_out) from ``conv2d``.
    """
    import matplotlib.pyplot as plt

    x = np.asarray(x, dtype=float)
    w = np.asarray(weight, dtype=float)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(f"x and weight must both be 2-D, got shapes {x.shape} and {w.shape}")
    kh, kw = w.shape
    cols = F.im2col(x[None, None], (kh, kw), stride=stride, padding=padding)[0]
    y = F.conv2d(x[None, None], w[None, None], stride=stride, padding=padding)[0, 0]
    product = w.ravel() @ cols
    n_win = cols.shape[1]
    wo = y.shape[1]
    xp = np.pad(x, padding)

    fig = plt.figure(figsize=(8.5, 5.2), layout="constrained")
    gs = fig.add_gridspec(2, 3, width_ratios=[xp.shape[1], n_win + 1, max(2, wo)], height_ratios=[kh * kw, 2.5])
    ax_in = fig.add_subplot(gs[:, 0])
    ax_cols = fig.add_subplot(gs[0, 1])
    ax_w = fig.add_subplot(gs[1, 1])
    ax_out = fig.add_subplot(gs[0, 2])
    ax_note = fig.add_subplot(gs[1, 2])
    colours = np.ones((*xp.shape, 3))
    if padding:
        colours[:padding], colours[-padding:], colours[:, :padding], colours[:, -padding:] = (_PAD,) * 4
    _number_grid(ax_in, xp, colours=colours, title="input: one window per output cell", first_row=-padding,
                 first_col=-padding)
    cols_colours = np.ones((*cols.shape, 3))
    for t in range(n_win):
        colour = _PALETTE[t % len(_PALETTE)]
        i, j = divmod(t, wo)
        inset = 0.06 * (t % 4)
        from matplotlib.patches import Rectangle

        ax_in.add_patch(Rectangle((j * stride - 0.5 + inset, i * stride - 0.5 + inset), kw - 2 * inset,
                                  kh - 2 * inset, fill=False, ec=colour, lw=2.0))
        cols_colours[:, t] = 0.3 * np.asarray(colour) + 0.7
    _number_grid(ax_cols, cols, colours=cols_colours, title=f"cols = im2col(x): {cols.shape[0]}x{cols.shape[1]}",
                 xlabel="window (output cell, row-major)", ylabel="tap (a, b) as row a·kW + b")
    _number_grid(ax_w, w.ravel()[None, :], title="kernel as a row, w_row (1 x kH·kW)", xlabel="tap a·kW + b",
                 ylabel="")
    ax_w.set_yticks([])
    _number_grid(ax_out, product.reshape(y.shape), colours=np.full((*y.shape, 3), _HIGHLIGHT),
                 title="w_row @ cols, reshaped")
    ax_note.axis("off")
    ax_note.text(0.0, 0.5, f"max |w_row @ cols − conv2d(x, w)|\n= {np.max(np.abs(product - y.ravel())):.1e}",
                 fontsize=8, va="center", transform=ax_note.transAxes)
    return Diagram(fig, {"input": x, "weight": w, "cols": cols, "product": product, "output": y})


# --------------------------------------------------------------------------- architecture
def architecture_figure(model, input_shape: tuple[int, ...]) -> Diagram:
    """A network drawn as a row of blocks, one per layer, labelled with the shapes ``forward`` produces.

    Each block's height is proportional to the spatial size of the layer's output (square root of the
    number of values per channel for flat outputs) and its label gives the layer, its output shape
    without the batch axis and its number of trainable parameters. The shapes are measured by running
    ``model.forward`` on zeros of ``input_shape``, not computed by formulas here.

    Parameters
    ----------
    model : convlearn.nn.Sequential
        Any iterable of convlearn layers.
    input_shape : tuple of int
        Shape of one batch, e.g. ``(1, 1, 8, 8)``.

    Returns
    -------
    Diagram
        ``values``: ``"shapes"`` (list of output shapes, the input's first), ``"names"`` (layer labels,
        ``"input"`` first), ``"params"`` (trainable parameters per layer, 0 for the input).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    layers = list(model)
    a = np.zeros(input_shape)
    shapes, names, params = [tuple(a.shape)], ["input"], [0]
    for layer in layers:
        a = layer.forward(a)
        shapes.append(tuple(a.shape))
        names.append(type(layer).__name__)
        params.append(int(sum(p.value.size for p in layer.parameters())))
    n = len(shapes)
    fig, ax = plt.subplots(figsize=(0.95 * n + 0.8, 3.4), layout="constrained")
    biggest = max(s[-1] if len(s) == 4 else np.sqrt(s[-1]) for s in shapes)
    for t, (shape, name, p) in enumerate(zip(shapes, names, params, strict=True)):
        side = shape[-1] if len(shape) == 4 else np.sqrt(shape[-1])
        height = 0.25 + 1.6 * side / biggest
        colour = "#9ecae1" if len(shape) == 4 else "#fdd0a2"
        ax.add_patch(FancyBboxPatch((t - 0.36, -height / 2), 0.72, height, boxstyle="round,pad=0.02",
                                    fc=colour, ec="0.25"))
        ax.text(t, height / 2 + 0.12, name, ha="center", va="bottom", fontsize=9, fontweight="bold")
        ax.text(t, -height / 2 - 0.1, "×".join(str(v) for v in shape[1:]), ha="center", va="top", fontsize=9)
        if p:
            ax.text(t, -height / 2 - 0.45, f"{p:,}\nparams", ha="center", va="top", fontsize=8, color="0.3")
        if t:
            ax.annotate("", xy=(t - 0.38, 0), xytext=(t - 0.62, 0), arrowprops={"arrowstyle": "->", "lw": 1})
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(-1.9, 1.4)
    ax.set_yticks([])
    ax.set_xticks(range(n), [str(t) for t in range(n)])
    ax.set_xlabel("layer (0 = input); below a block: its output shape without the batch axis")
    ax.set_ylabel("block height ∝ spatial size")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return Diagram(fig, {"shapes": shapes, "names": names, "params": params})


# --------------------------------------------------------------------------- the on-ramp's pictures
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_GRAD = (0.80, 0.15, 0.10)  # gradients (backward pass) are drawn in this colour


def _vec(v) -> str:
    """A vector as ``(a, b, c)`` with :func:`_fmt` numbers."""
    return "(" + ", ".join(_fmt(t) for t in np.ravel(v)) + ")"


def _mat(m, name: str) -> str:
    """A matrix as ``name = [row]`` lines, the rows aligned under one another (for a monospace font)."""
    rows = ["[" + ", ".join(f"{_fmt(t):>5s}" for t in row) + "]" for row in np.atleast_2d(m)]
    lead = f"{name} = "
    return "\n".join((lead if i == 0 else " " * len(lead)) + r for i, r in enumerate(rows))


def _sub(name: str) -> str:
    """``"z1"`` -> ``"z₁"``: the digits after the first character as subscripts."""
    return name[0] + name[1:].translate(_SUB)


def _linear(w, b):
    """A convlearn ``Linear`` layer holding the weights ``w : (m, n)`` and the bias ``b : (m,)``."""
    from convlearn.nn import Linear

    w = np.atleast_2d(np.asarray(w, dtype=float))
    layer = Linear(w.shape[1], w.shape[0], rng=0)
    layer.weight.value[...] = w
    layer.bias.value[...] = np.asarray(b, dtype=float).reshape(w.shape[0])
    return layer


def _diagram_axes(figsize, xlim, ylim, *, equal: bool = True):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    if equal:
        ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def neuron_figure(w, b: float, x) -> Diagram:
    """One neuron with numbers: inputs ``x_j``, weights ``w_j`` on the edges, the bias, ``z`` and ``ReLU(z)``.

    The weighted sum is computed by a :class:`convlearn.nn.Linear` layer holding ``w`` and ``b``, and the
    activation by :class:`convlearn.nn.ReLU`.

    Parameters
    ----------
    w : (n,) array_like
        The weights, one per input (at most 6, so that the numbers stay readable).
    b : float
        The bias.
    x : (n,) array_like
        The inputs.

    Returns
    -------
    Diagram
        ``values``: ``"x"``, ``"w"``, ``"b"``, ``"z"`` (the weighted sum plus bias) and ``"a"`` (``ReLU(z)``).
    """
    from matplotlib.patches import Circle, FancyBboxPatch

    from convlearn.nn import ReLU

    w = np.asarray(w, dtype=float).ravel()
    x = np.asarray(x, dtype=float).ravel()
    if w.size != x.size or not 1 <= w.size <= 6:
        raise ValueError(f"w and x must have the same length, between 1 and 6; got {w.size} and {x.size}")
    layer = _linear(w[None, :], [b])
    z = float(layer.forward(x[None, :])[0, 0])
    a = float(ReLU().forward(np.array([[z]]))[0, 0])
    n = w.size
    fig, ax = _diagram_axes((6.4, 0.75 * n + 1.6), (-0.4, 8.6), (-0.9, n + 0.3))
    ys = np.linspace(n - 0.5, 0.0, n) if n > 1 else np.array([0.0])
    y_sum = float(ys.mean())
    for j, (xj, wj, yj) in enumerate(zip(x, w, ys, strict=True), start=1):
        ax.add_patch(Circle((0.5, yj), 0.32, fc="#deebf7", ec="0.25"))
        ax.text(0.5, yj, f"x{str(j).translate(_SUB)}", ha="center", va="center", fontsize=10)
        ax.text(-0.05, yj, _fmt(xj), ha="right", va="center", fontsize=10)
        ax.annotate("", xy=(3.1, y_sum), xytext=(0.85, yj), arrowprops={"arrowstyle": "->", "color": "0.35"})
        t = 0.45
        ax.text(0.85 + t * (3.1 - 0.85), yj + t * (y_sum - yj) + 0.12, f"w{str(j).translate(_SUB)} = {_fmt(wj)}",
                ha="center", va="bottom", fontsize=9, color="C0")
    ax.add_patch(Circle((3.5, y_sum), 0.42, fc="#fdd0a2", ec="0.25"))
    ax.text(3.5, y_sum, "Σ", ha="center", va="center", fontsize=15)
    ax.annotate("", xy=(3.5, y_sum - 0.42), xytext=(3.5, -0.75), arrowprops={"arrowstyle": "->", "color": "0.35"})
    ax.text(3.62, -0.75, f"b = {_fmt(b)}", ha="left", va="bottom", fontsize=9, color="C0")
    ax.text(3.5, y_sum + 0.5, f"z = w·x + b\n= {_fmt(z)}", ha="center", va="bottom", fontsize=9)
    ax.annotate("", xy=(5.0, y_sum), xytext=(3.92, y_sum), arrowprops={"arrowstyle": "->", "color": "0.35"})
    ax.add_patch(FancyBboxPatch((5.05, y_sum - 0.3), 1.1, 0.6, boxstyle="round,pad=0.05", fc="#e5f5e0", ec="0.25"))
    ax.text(5.6, y_sum, "ReLU", ha="center", va="center", fontsize=10)
    ax.annotate("", xy=(7.2, y_sum), xytext=(6.25, y_sum), arrowprops={"arrowstyle": "->", "color": "0.35"})
    ax.text(7.25, y_sum, f"a = {_fmt(a)}", ha="left", va="center", fontsize=10, fontweight="bold")
    return Diagram(fig, {"x": x, "w": w, "b": float(b), "z": z, "a": a})


def layer_matrix_figure(layer, x, *, neuron: int = 0) -> Diagram:
    """A linear layer as a matrix product with numbers: ``z = W x + b``, one neuron per row of ``W``.

    Parameters
    ----------
    layer : convlearn.nn.Linear
        A small layer (at most 8 inputs and 8 outputs, so that the numbers stay readable).
    x : (in_features,) array_like
        One input vector.
    neuron : int
        The neuron (row of ``W`` and entry of ``z``) that is outlined.

    Returns
    -------
    Diagram
        ``values``: ``"W"``, ``"x"``, ``"b"`` and ``"z"``, the last computed by ``layer.forward``.
    """
    import matplotlib.pyplot as plt

    W, b = layer.weight.value, layer.bias.value
    m, n = W.shape
    if m > 8 or n > 8:
        raise ValueError(f"the layer is too large to write out ({m} x {n}; at most 8 x 8)")
    if not 0 <= neuron < m:
        raise ValueError(f"neuron must be in [0, {m}), got {neuron}")
    x = np.asarray(x, dtype=float).ravel()
    z = layer.forward(x[None, :])[0]
    widths = [n, 0.7, 1, 0.7, 1, 0.7, 1]
    fig, axes = plt.subplots(1, 7, figsize=(6.4, 0.42 * max(m, n) + 1.3), width_ratios=widths, layout="constrained")
    hl = np.ones((m, n, 3))
    hl[neuron] = _HIGHLIGHT
    col = np.ones((m, 1, 3))
    col[neuron] = _HIGHLIGHT
    _number_grid(axes[0], W, colours=hl, title=f"W ({m} × {n})", xlabel="input j", ylabel="neuron i")
    _number_grid(axes[2], x[:, None], title="x", xlabel="input", ylabel="input j")
    _number_grid(axes[4], b[:, None], title="b", xlabel="bias", ylabel="neuron i")
    _number_grid(axes[6], z[:, None], colours=col, title="z", xlabel="output", ylabel="neuron i",
                 bold=col[..., 2] < 1)
    for ax in axes[2::2]:
        ax.set_xticks([])
    for ax, sign in zip(axes[1::2], ("×", "+", "="), strict=True):
        ax.axis("off")
        ax.text(0.5, 0.5, sign, ha="center", va="center", fontsize=16, transform=ax.transAxes)
    terms = " + ".join(f"({_fmt(W[neuron, j])})({_fmt(x[j])})" for j in range(n))
    i = str(neuron).translate(_SUB)
    fig.suptitle(f"neuron {neuron}: z{i} = row {neuron} of W · x + b{i}"
                 f" = {terms} + ({_fmt(b[neuron])}) = {_fmt(z[neuron])}", fontsize=8)
    return Diagram(fig, {"W": W.copy(), "x": x, "b": b.copy(), "z": z})


def mlp_figure(model, input_shape: tuple[int, ...], *, max_units: int = 7) -> Diagram:
    """A multilayer perceptron drawn as columns of units, one column per representation.

    The sizes are measured by running ``model.forward`` on zeros of ``input_shape``: the first column is
    the flattened input, then one column per ``Linear`` layer's output (marked "ReLU" when a ReLU follows).
    A column of more than ``max_units`` units shows its first and last ones with "⋮" between them. Between
    two columns: the shapes of that layer's weight and bias and its number of parameters.

    Parameters
    ----------
    model : convlearn.nn.Sequential
        ``Flatten``, ``Linear`` and ``ReLU`` layers.
    input_shape : tuple of int
        Shape of one batch, e.g. ``(1, 1, 8, 8)``.
    max_units : int
        Most units drawn in one column.

    Returns
    -------
    Diagram
        ``values``: ``"sizes"`` (units per column), ``"params"`` (parameters of each linear layer) and
        ``"relu"`` (whether a ReLU follows each linear layer).
    """
    from matplotlib.patches import Circle

    a = np.zeros(input_shape)
    sizes, params, relu = [], [], []
    for layer in model:
        kind = type(layer).__name__
        a = layer.forward(a)
        if kind == "Flatten":
            sizes = [a.shape[1]]
        elif kind == "Linear":
            if not sizes:
                sizes = [layer.in_features]
            sizes.append(a.shape[1])
            params.append(int(sum(p.value.size for p in layer.parameters())))
            relu.append(False)
        elif kind == "ReLU":
            if not relu:
                raise ValueError("a ReLU before the first Linear layer is not drawn")
            relu[-1] = True
        else:
            raise TypeError(f"mlp_figure draws Flatten, Linear and ReLU layers, not {kind}")
    if len(sizes) < 2:
        raise ValueError("the model has no Linear layer")
    cols = len(sizes)
    fig, ax = _diagram_axes((1.6 * cols + 0.6, 4.2), (-1.0, 3.2 * (cols - 1) + 1.0), (-5.0, 4.6))
    slots = np.linspace(3.0, -3.0, max_units)
    positions = []
    for size in sizes:
        if size > max_units:  # first and last units, the middle slot left for the "⋮"
            half = (max_units - 1) // 2
            positions.append(np.concatenate([slots[:half], slots[max_units - (max_units - 1 - half):]]))
        else:
            positions.append(np.linspace(0.45 * (size - 1), -0.45 * (size - 1), size))
    for c in range(cols - 1):
        for y0 in positions[c]:
            for y1 in positions[c + 1]:
                ax.plot([3.2 * c, 3.2 * (c + 1)], [y0, y1], color="0.75", lw=0.4, zorder=1)
    for c, (size, ys) in enumerate(zip(sizes, positions, strict=True)):
        colour = "#deebf7" if c == 0 else ("#e5f5e0" if c < cols - 1 else "#fdd0a2")
        for y in ys:
            ax.add_patch(Circle((3.2 * c, y), 0.26, fc=colour, ec="0.25", zorder=2))
        if size > max_units:
            ax.text(3.2 * c, 0.0, "⋮", ha="center", va="center", fontsize=16, zorder=3)
        if c == 0:
            label = f"{size} inputs"
        elif c == cols - 1:
            label = f"{size} outputs\n(logits)"
        else:
            label = f"{size} hidden\nunits" + (", ReLU" if relu[c - 1] else "")
        ax.text(3.2 * c, 3.5, label, ha="center", va="bottom", fontsize=9, fontweight="bold")
    for c in range(cols - 1):
        k = str(c + 1).translate(_SUB)
        label = f"W{k}: {sizes[c + 1]} × {sizes[c]}\nb{k}: {sizes[c + 1]}\n{params[c]:,} parameters"
        ax.text(3.2 * c + 1.6, -3.6, label, ha="center", va="top", fontsize=8.5, color="0.2")
    return Diagram(fig, {"sizes": sizes, "params": params, "relu": relu})


def backprop_graph_figure(model, x, target: int) -> Diagram:
    """The computational graph of a small network and its loss, with forward values and backward gradients.

    ``model`` (``Linear`` and ``ReLU`` layers) is run forward on one input ``x`` and the softmax
    cross-entropy ("CE" in the figure) with class ``target`` is taken; then each layer's ``backward`` is
    called in turn, from the loss back to the input. The graph is drawn from top to bottom: the values
    ``x, z₁, a₁, z₂, …, L`` in black, each with the gradient of the loss with respect to it (in red) below,
    and beside each linear layer its weight and bias with their gradients. Every number is convlearn's:
    the forward values, :class:`convlearn.nn.CrossEntropyLoss` and the layers' ``backward``.

    Parameters
    ----------
    model : convlearn.nn.Sequential
        ``Linear`` and ``ReLU`` layers with at most 3 units each (so that the numbers stay readable).
    x : (n,) array_like
        One input.
    target : int
        The correct class.

    Returns
    -------
    Diagram
        ``values``: ``"names"`` (``["x", "z1", "a1", ...]``), ``"forward"`` and ``"grad"`` (dicts from those
        names to 1-D arrays), ``"loss"``, and ``"params"`` and ``"param_grads"`` (dicts ``"W1"``, ``"b1"``,
        ... to arrays).
    """
    from matplotlib.patches import FancyBboxPatch

    from convlearn.nn import CrossEntropyLoss

    layers = list(model)
    x = np.asarray(x, dtype=float).ravel()
    names, values, ops = ["x"], [x[None, :]], []
    params, param_grads = {}, {}
    k = 0
    for layer in layers:
        kind = type(layer).__name__
        if kind == "Linear":
            k += 1
            name = f"z{k}"
            op = f"{_sub(name)} = {_sub(f'W{k}')}{_sub(names[-1])} + {_sub(f'b{k}')}"
            if max(layer.weight.value.shape) > 3 or layer.bias is None:
                raise ValueError("backprop_graph_figure writes out layers of at most 3 units, with a bias")
        elif kind == "ReLU":
            if k == 0:
                raise ValueError("a ReLU before the first Linear layer is not drawn")
            name = f"a{k}"
            op = f"{_sub(name)} = ReLU({_sub(names[-1])})"
        else:
            raise TypeError(f"backprop_graph_figure draws Linear and ReLU layers, not {kind}")
        values.append(layer.forward(values[-1]))
        names.append(name)
        ops.append((op, layer if kind == "Linear" else None, k))
    loss_fn = CrossEntropyLoss()
    loss = float(loss_fn.forward(values[-1], np.array([int(target)])))
    grads = [None] * len(values)
    g = loss_fn.backward()
    for i in range(len(layers), 0, -1):
        grads[i] = g
        g = layers[i - 1].backward(g)
    grads[0] = g
    for _op, layer, k in ops:
        if layer is not None:
            params[f"W{k}"], params[f"b{k}"] = layer.weight.value.copy(), layer.bias.value.copy()
            param_grads[f"W{k}"], param_grads[f"b{k}"] = layer.weight.grad.copy(), layer.bias.grad.copy()

    rows = len(names) + 1
    step = 1.6
    fig, ax = _diagram_axes((5.9, 0.8 * rows + 0.3), (-5.0, 6.9), (-step * (rows - 1) - 0.55, 0.55), equal=False)
    def node(y, label, value_text, grad_text):
        ax.add_patch(FancyBboxPatch((-0.2, y - 0.42), 4.4, 0.84, boxstyle="round,pad=0.04", fc="#f7f7f7", ec="0.3"))
        ax.text(0.0, y + 0.17, f"{label} = {value_text}", ha="left", va="center", fontsize=9.5, family="monospace")
        ax.text(0.0, y - 0.2, f"∂L/∂{label} = {grad_text}", ha="left", va="center", fontsize=9.5,
                family="monospace", color=_GRAD)

    ys = [-step * i for i in range(rows)]
    for i, (name, v, gr) in enumerate(zip(names, values, grads, strict=True)):
        node(ys[i], _sub(name), _vec(v), _vec(gr))
    node(ys[-1], "L", _fmt(loss), "1")
    op_labels = [op for op, _layer, _k in ops]
    op_labels.append(f"L = CE({_sub(names[-1])}, t = {int(target)})")
    for i, label in enumerate(op_labels):
        y0, y1 = ys[i] - 0.46, ys[i + 1] + 0.46
        ax.annotate("", xy=(0.9, y1), xytext=(0.9, y0), arrowprops={"arrowstyle": "->", "color": "0.2", "lw": 1.2})
        ax.annotate("", xy=(2.9, y0), xytext=(2.9, y1), arrowprops={"arrowstyle": "->", "color": _GRAD, "lw": 1.2})
        ax.text(4.4, (y0 + y1) / 2, label, ha="left", va="center", fontsize=9, color="0.2")
    for i, (_op, layer, k) in enumerate(ops):
        if layer is None:
            continue
        y = (ys[i] + ys[i + 1]) / 2
        wk, bk = f"W{k}", f"b{k}"
        text_v = _mat(params[wk], _sub(wk)) + f"\n{_sub(bk)} = {_vec(params[bk])}"
        text_g = _mat(param_grads[wk], "∂L/∂" + _sub(wk)) + f"\n∂L/∂{_sub(bk)} = {_vec(param_grads[bk])}"
        ax.text(-4.9, y + 0.08, text_v, ha="left", va="bottom", fontsize=8.5, family="monospace")
        ax.text(-4.9, y - 0.02, text_g, ha="left", va="top", fontsize=8.5, family="monospace", color=_GRAD)
        ax.annotate("", xy=(0.8, y), xytext=(-0.9, y), arrowprops={"arrowstyle": "->", "color": "0.5", "ls": "--"})
    ax.text(-4.9, ys[-1], "black ↓: forward pass\nred ↑: backward pass,\n   gradients of L", ha="left",
            va="center", fontsize=9, color="0.2")
    return Diagram(fig, {"names": names, "forward": {n: v[0] for n, v in zip(names, values, strict=True)},
                         "grad": {n: g[0] for n, g in zip(names, grads, strict=True)}, "loss": loss,
                         "params": params, "param_grads": param_grads})


def sampling_grids_figure(a: float, h: float, K: int, *, n: int, m: int) -> Diagram:
    """The three grids of chapter 2 on one time axis, with one term ``x[m] k[n - m]`` of an output marked.

    The samples ``x[m] = f(a + m h)`` and ``k[j] = g(a + j h)`` (``m, j = 0 .. K-1``) and the output times
    ``t_n = 2a + n h`` of ``h (x * k)[n]``; their number, ``2K - 1``, is the length of
    :func:`convlearn.signal.convolve1d`'s full output. For the marked pair, ``t_n - tau_m = a + (n - m) h`` is
    again a grid point of ``k``: the sample ``k[n - m]``.

    Parameters
    ----------
    a, h : float
        Start of the sampled interval and the step (``h > 0``).
    K : int
        Number of samples of each function (``K >= 2``).
    n, m : int
        The output index and the sample of ``x`` whose term is marked; ``0 <= n - m <= K - 1``.

    Returns
    -------
    Diagram
        ``values``: ``"tau"`` (the ``x`` grid), ``"k_grid"``, ``"t"`` (output times), ``"n"``, ``"m"``, ``"j"``
        (``= n - m``) and ``"difference"`` (``t_n - tau_m``).
    """
    import matplotlib.pyplot as plt

    from convlearn.signal import convolve1d

    if not h > 0 or int(K) != K or K < 2:
        raise ValueError(f"need h > 0 and an integer K >= 2, got h={h!r}, K={K!r}")
    K = int(K)
    n_out = convolve1d(np.ones(K), np.ones(K)).size          # 2K - 1 outputs of the full convolution
    if not (0 <= m < K and 0 <= n < n_out and 0 <= n - m < K):
        raise ValueError(f"need 0 <= m < K, 0 <= n < 2K - 1 and 0 <= n - m < K, got n={n}, m={m}, K={K}")
    tau = a + h * np.arange(K)
    k_grid = a + h * np.arange(K)
    t = 2 * a + h * np.arange(n_out)
    j = n - m
    difference = t[n] - tau[m]
    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    rows = {2: (tau, "samples x[m] = f(a + mh)", "m"), 1: (k_grid, "samples k[j] = g(a + jh)", "j"),
            0: (t, "outputs at $t_n$ = 2a + nh", "n")}
    marked = {2: m, 1: j, 0: n}
    for y, (grid, _, letter) in rows.items():
        ax.plot(grid, np.full(grid.size, y), "o", color="0.55", ms=6)
        ax.plot(grid[marked[y]], y, "o", color=_PALETTE[5], ms=10)
        for i, g in enumerate(grid):
            ax.annotate(f"{letter}={i}" if i in (0, marked[y]) else str(i), (g, y), textcoords="offset points",
                        xytext=(0, 8), ha="center", fontsize="x-small")
    ax.annotate("", xy=(t[n], 0.45), xytext=(tau[m], 0.45),
                arrowprops={"arrowstyle": "<->", "color": _PALETTE[0]})
    label = f"$t_{{{n}}} - \\tau_{{{m}}}$ = {difference:g} = a + {j}h"
    ax.text((t[n] + tau[m]) / 2, 0.5, label, ha="center", va="bottom", color=_PALETTE[0], fontsize="small")
    for y, pos in ((2, tau[m]), (0, t[n])):
        ax.plot([pos, pos], [y, 0.45], ":", color=_PALETTE[0], lw=1)
    ax.axvline(a, color="0.8", lw=0.8, zorder=0)
    ax.axvline(2 * a, color="0.8", lw=0.8, zorder=0)
    ax.set_yticks(list(rows), [label for _, label, _ in rows.values()])
    ax.set_ylim(-0.5, 2.6)
    ax.set_xlabel(f"time (a = {a:g}, h = {h:g}, K = {K}; grey lines at a and 2a)")
    ax.set_title(f"The term x[{m}] k[{j}] of output n = {n}: k is read at a + (n - m)h")
    return Diagram(fig, {"tau": tau, "k_grid": k_grid, "t": t, "n": n, "m": m, "j": j, "difference": difference})
