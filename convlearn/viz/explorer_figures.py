"""Static pictures of the live explorers, for a reader without JavaScript, on paper or in the PDF.

:func:`explorer_figure` draws an explorer of :mod:`convlearn.viz.widgets` twice, side by side (or one above
the other): in the state it starts in, and in one other setting of its controls. Every number drawn comes
from the explorer's own Python methods (``value``, ``products``, ``output``, ``layout``, ...), which compute
with convlearn, so the picture shows what the explorer shows for the same controls.

The book puts such a figure after each explorer, in a cell tagged ``explorer-static``: the website shows it
only where the explorer cannot run (no JavaScript) and in print, where the explorer itself is hidden
(``book/_static/convlearn.css``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import contextmanager

import numpy as np

from convlearn.viz.arithmetic import draw_layout, receptive_field_figure
from convlearn.viz.diagrams import _number_grid, _outline
from convlearn.viz.plots import show_images, stem_signal
from convlearn.viz.widgets import (
    CONTINUOUS_FUNCTIONS,
    ArithmeticExplorer,
    DiscreteFlipAndSlide,
    FlipAndSlide,
    KernelExplorer,
    ReceptiveFieldExplorer,
    SlidingWindow,
)

__all__ = ["explorer_figure"]


@contextmanager
def _set(explorer, setting: Mapping):
    """Give ``explorer`` the control values ``setting`` (trait name -> value) and restore them afterwards."""
    unknown = sorted(set(setting) - set(explorer.trait_names(sync=True)))
    if unknown:
        raise ValueError(f"{type(explorer).__name__} has no control called {', '.join(map(repr, unknown))}")
    old = {name: getattr(explorer, name) for name in setting}
    try:
        for name, value in setting.items():
            setattr(explorer, name, value)
        yield explorer
    finally:
        for name, value in old.items():
            setattr(explorer, name, value)


def _describe(setting: Mapping) -> str:
    return ", ".join(f"{name} = {value!r}" if isinstance(value, str) else f"{name} = {value}"
                     for name, value in setting.items())


# ------------------------------------------------------------------------------ one state, per explorer
def _draw_flip_and_slide(sf, w: FlipAndSlide) -> None:
    top, bottom = sf.subplots(2, 1)
    a, b = w.t_range
    f, g = CONTINUOUS_FUNCTIONS[w.f], CONTINUOUS_FUNCTIONS[w.g]
    tau = np.linspace(a, b, 1201)
    f_tau, g_flipped = f.fn(tau), g.fn(w.t - tau)
    top.plot(tau, f_tau, color="C0", label="f(τ)")
    top.plot(tau, g_flipped, color="C1", label="g(t − τ)")
    top.fill_between(tau, f_tau * g_flipped, color="C2", alpha=0.35, label="f(τ) g(t − τ)")
    top.axvline(w.t, color="0.4", lw=0.8, ls="--")
    top.set_xlabel("τ")
    top.set_ylabel("value")
    top.legend(fontsize="x-small", loc="upper right")
    top.set_title(f"f = {f.label}, g = {g.label}, t = {w.t:g}", fontsize="small")
    t_grid = np.linspace(a, b, 241)
    curve = w._convolve(w._f, w._g, t_grid, w.support)  # what value(t) gives, for every t at once
    bottom.plot(t_grid, curve, color="C3")
    bottom.plot([w.t], [w.value()], "o", color="C3")
    bottom.annotate(f"({w.t:g}, {w.value():.3f})", (w.t, w.value()), textcoords="offset points", xytext=(6, 6),
                    fontsize="x-small")
    bottom.set_xlabel("t")
    bottom.set_ylabel("(f ∗ g)(t)")


def _draw_discrete(sf, w: DiscreteFlipAndSlide) -> None:
    top, bottom = sf.subplots(2, 1)
    x, k = np.array(w.x), np.array(w.k)
    m, j, prod = w.products()
    stem_signal(top, np.arange(x.size), x, label="x[m]", color="C0", xlabel="m", ylabel="value")
    weight = "k[n − m]" if w.flip else "k[m − n + K − 1]"
    top.plot(m, k[j], "s", color="C1", label=weight)
    ymax = max(np.abs(x).max(), np.abs(k).max())
    for mi, p in zip(m, prod, strict=True):
        top.text(mi, 1.2 * ymax, f"{p:g}", ha="center", fontsize="x-small", color="C2")
    top.set_ylim(-1.4 * ymax, 1.45 * ymax)
    top.set_xlim(-0.5 - (k.size - 1), x.size - 0.5 + (k.size - 1))
    top.legend(fontsize="x-small", loc="lower left")
    op = "x ∗ k" if w.flip else "x ⋆ k"
    top.set_title(f"{'convolution' if w.flip else 'correlation'}, n = {w.n}: the products (green) "
                  f"sum to {prod.sum():g}", fontsize="small")
    out = w.output()
    n = np.arange(out.size)
    stem_signal(bottom, n[n > w.n], out[n > w.n], color="0.7", ylabel=f"({op})[n]")
    stem_signal(bottom, n[n <= w.n], out[n <= w.n], color="C3", ylabel=f"({op})[n]")
    bottom.set_xlim(-0.5, out.size - 0.5)


def _draw_sliding_window(sf, w: SlidingWindow) -> None:
    image, kernel = np.array(w.image), np.array(w.kernel)
    ax_img, ax_prod = sf.subplots(1, 2, width_ratios=[image.shape[1], 1.3 * kernel.shape[1]])
    M, N = kernel.shape[0] // 2, kernel.shape[1] // 2
    shade = np.repeat((0.75 + 0.25 * (image - image.min()) / (np.ptp(image) or 1.0))[..., None], 3, axis=2)
    _number_grid(ax_img, image, colours=shade, title=f"image I, window at (i, j) = ({w.i}, {w.j})",
                 xlabel="column j", ylabel="row i")
    _outline(ax_img, w.i - M, w.j - N, 2 * M + 1, 2 * N + 1, "C1")
    ax_img.plot([w.j], [w.i], "x", color="C3")
    _number_grid(ax_prod, w.products(), title=f"I(i+m, j+n) K(m, n)\nsum S({w.i}, {w.j}) = {w.value():g}",
                 xlabel="n", ylabel="m", first_row=-M, first_col=-N)


def _draw_kernel(sf, w: KernelExplorer) -> None:
    kernel = w.kernel()
    ax_k, ax_out = sf.subplots(1, 2, width_ratios=[1, 1.6])
    _number_grid(ax_k, kernel, title=f"kernel K: {w.name!r}", xlabel="n", ylabel="m",
                 first_row=-(kernel.shape[0] // 2), first_col=-(kernel.shape[1] // 2))
    out = w.output()
    op = "I ∗ K" if w.flip else "I ⋆ K"
    total = kernel.sum()
    if np.isclose(total, 0.0):
        show_images([ax_out], [out], [op], symmetric=[True])
    else:  # the input's grey range times the sum of the weights, as the explorer draws it
        image = w._image
        lo, hi = sorted((image.min() * total, image.max() * total))
        show_images([ax_out], [np.clip(out, lo, hi)], [op])


def _draw_arithmetic(sf, w: ArithmeticExplorer) -> None:
    lay = w.layout()
    axes = sf.subplots(1, 2, width_ratios=[lay.kinds.shape[1], max(3, lay.output_size)])
    cell = tuple(min(max(v, 0), lay.output_size - 1) for v in w.cell)
    draw_layout(axes, lay, cell)
    what = "transposed convolution" if w.transposed else "convolution"
    axes[0].set_title(f"{what}, H = {w.input_size}, k = {w.kernel_size}, p = {w.padding}, s = {w.stride}, "
                      f"d = {w.dilation}\n{axes[0].get_title()}", fontsize="small")


def _draw_receptive_field(sf, w: ReceptiveFieldExplorer) -> None:
    ax = sf.subplots()
    level, unit = w.selection()
    receptive_field_figure(w.geometry()[:level], w.input_length, unit, ax=ax)
    ax.title.set_fontsize("small")


# explorer class -> (how to draw one state into a subfigure, size of one state in inches, the two states side by
# side (True) or one above the other)
_DRAWERS: dict[type, tuple[Callable, tuple[float, float], bool]] = {
    FlipAndSlide: (_draw_flip_and_slide, (5.2, 5.0), True),
    DiscreteFlipAndSlide: (_draw_discrete, (5.2, 4.6), True),
    SlidingWindow: (_draw_sliding_window, (5.4, 3.2), True),
    KernelExplorer: (_draw_kernel, (5.4, 3.0), True),
    ArithmeticExplorer: (_draw_arithmetic, (9.0, 4.0), False),
    ReceptiveFieldExplorer: (_draw_receptive_field, (10.0, 3.6), False),
}


def explorer_figure(explorer, setting: Mapping, *, label: str | None = None):
    """Draw ``explorer`` in its current state and with the controls changed to ``setting``.

    Parameters
    ----------
    explorer : one of the explorers of :mod:`convlearn.viz.widgets`
        Computing in the browser (not with a function of the reader's).
    setting : mapping of str to value
        New values of some of its controls (traits), e.g. ``{"t": 1.5}`` for
        :class:`~convlearn.viz.widgets.FlipAndSlide` or ``{"transposed": True}`` for
        :class:`~convlearn.viz.widgets.ArithmeticExplorer`. The explorer is given these values while the
        second picture is drawn and gets its own back afterwards.
    label : str, optional
        How the second picture's heading names the setting; default ``"name = value, ..."``.

    Returns
    -------
    matplotlib.figure.Figure
        Two subfigures, headed "As it starts" and "With ..." (left and right, or above and below).
    """
    import matplotlib.pyplot as plt

    kind = next((cls for cls in type(explorer).__mro__ if cls in _DRAWERS), None)
    if kind is None:
        raise TypeError(f"no static picture for {type(explorer).__name__}; explorers: "
                        f"{', '.join(c.__name__ for c in _DRAWERS)}")
    if explorer.python:
        raise ValueError("explorer_figure draws an explorer that computes in the browser, not with your function")
    if not setting:
        raise ValueError("give the setting of the second picture, e.g. {'t': 1.5}")
    draw, (width, height), side_by_side = _DRAWERS[kind]
    fig = plt.figure(figsize=(2 * width, height) if side_by_side else (width, 2 * height), layout="constrained")
    first, second = fig.subfigures(1, 2) if side_by_side else fig.subfigures(2, 1)
    draw(first, explorer)
    first.suptitle("As it starts", fontweight="bold")
    with _set(explorer, setting):
        draw(second, explorer)
    second.suptitle(f"With {label or _describe(setting)}", fontweight="bold")
    return fig
