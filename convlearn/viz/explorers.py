"""Interactive explorers (ipywidgets) for part I of the book.

Each explorer is a small class with three layers, so that the logic can be tested without a browser:

``compute(**values)``
    pure: returns a frozen dataclass with everything the picture shows (the highlighted products,
    the area or sum, the output array, ...);
``draw(fig, state)``
    draws that state on a matplotlib figure;
``widget``
    the ipywidgets controls plus an :class:`ipywidgets.Image` showing the drawing; moving a control
    calls :meth:`update`, which recomputes the state, redraws and stores it in ``.state``.

Every explorer accepts the reader's own implementation of the operation it shows
(``convolve=`` / ``correlate=`` / ``centred_sum=``), e.g.::

    def my_convolve(f, g, t, support): ...
    FlipAndSlide(f, g, support=(0, 1), convolve=my_convolve).widget

The same explorer can be played without a kernel: :meth:`animation` renders a sequence of control
values into a self-contained JavaScript animation (:mod:`convlearn.viz.animations`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convlearn.data import classic_kernels

from .plots import annotate_matrix, figure_to_png

__all__ = [
    "FlipAndSlide",
    "FlipAndSlideState",
    "DiscreteFlipAndSlide",
    "DiscreteState",
    "KernelExplorer",
    "KernelState",
    "SlidingWindow",
    "WindowState",
    "flip_and_slide",
    "discrete_flip_and_slide",
    "kernel_explorer",
    "sliding_window",
    "parse_kernel",
]


class _Explorer:
    """Shared plumbing: a figure, a PNG image widget, and ``update``."""

    figsize: tuple[float, float] = (7.0, 4.0)
    dpi: int = 72
    #: name of the control an animation sweeps by default
    main_control: str = ""
    #: names of the controls (the keyword arguments of ``compute`` and ``update``)
    control_names: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.state = None
        self._widget = None
        self._image = None
        self._controls: dict = {}
        self._syncing = False

    # -- to be provided by subclasses -------------------------------------------------------
    def compute(self, **values):  # pragma: no cover - abstract
        raise NotImplementedError

    def draw(self, fig: Figure, state) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _make_controls(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _values(self) -> dict:
        return {name: w.value for name, w in self._controls.items()}

    # -- shared -------------------------------------------------------------------------------
    def new_figure(self) -> Figure:
        return Figure(figsize=self.figsize, layout="constrained")

    def render(self, state=None) -> bytes:
        """PNG bytes of the drawing of ``state`` (default: the current state)."""
        fig = self.new_figure()
        self.draw(fig, self.state if state is None else state)
        return figure_to_png(fig, dpi=self.dpi)

    def update(self, **values):
        """Set controls to ``values`` (others keep their value), recompute, redraw; return the state."""
        unknown = set(values) - set(self.control_names)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this explorer has {list(self.control_names)}")
        merged = {**self._values(), **values} if self._controls else values
        self.state = self.compute(**merged)
        if self._controls and values:  # show the new values on the controls without re-entering update
            self._syncing = True
            try:
                for name, value in values.items():
                    self._controls[name].value = value
            finally:
                self._syncing = False
        if self._image is not None:
            self._image.value = self.render()
        return self.state

    @property
    def widget(self):
        """The ipywidgets box (controls and picture); built on first access."""
        if self._widget is None:
            import ipywidgets as widgets

            self._controls = self._make_controls()
            self._image = widgets.Image(format="png")
            for control in self._controls.values():
                control.observe(self._on_change, names="value")
            self.update()
            self._widget = widgets.VBox([*self._extra_widgets(), *self._controls.values(), self._image])
        return self._widget

    @property
    def controls(self) -> dict:
        """The control widgets by name (builds the widget if needed)."""
        self.widget  # noqa: B018 - builds the controls
        return self._controls

    def _extra_widgets(self) -> list:
        return []

    def _on_change(self, change) -> None:
        if not self._syncing:
            self._handle_change(change)

    def _handle_change(self, change) -> None:
        self.update()

    def _ipython_display_(self):  # shows the widget when an explorer is the last value of a cell
        from IPython.display import display

        display(self.widget)

    def animation(self, values: Sequence, *, control: str | None = None, fps: float = 4.0, **fixed):
        """A self-contained JavaScript animation (``IPython.display.HTML``) sweeping one control.

        Parameters
        ----------
        values : sequence
            The values the control takes, one frame each (keep it to a few dozen frames).
        control : str, optional
            Which control to sweep; default the explorer's main one.
        **fixed
            Values of the other controls.
        """
        from .animations import animate_explorer

        return animate_explorer(self, values, control=control or self.main_control, fps=fps, **fixed)


# ============================================================================================
# continuous flip and slide
# ============================================================================================
@dataclass(frozen=True)
class FlipAndSlideState:
    """What the continuous flip-and-slide picture shows at one shift ``t``.

    Attributes
    ----------
    t : float
        The shift: the output time being computed.
    tau : (P,) array
        Integration variable τ on a grid.
    f_tau, g_flipped, product : (P,) arrays
        f(τ), g(t − τ) and their product f(τ) g(t − τ) (whose area is the output).
    value : float
        (f ∗ g)(t) as returned by the ``convolve`` function in use.
    t_grid, curve : (Q,) arrays
        The output (f ∗ g) on a grid of t, for the lower panel.
    """

    t: float
    tau: np.ndarray
    f_tau: np.ndarray
    g_flipped: np.ndarray
    product: np.ndarray
    value: float
    t_grid: np.ndarray
    curve: np.ndarray


class FlipAndSlide(_Explorer):
    """Flip g, slide it by t, multiply by f and take the area: (f ∗ g)(t) = ∫ f(τ) g(t − τ) dτ.

    Parameters
    ----------
    f, g : callable
        Vectorised functions of one real array.
    support : (lo, hi)
        Interval outside which f is zero (passed on to ``convolve``).
    t_range : (a, b), optional
        Range of shifts (and of the τ axis). Default: ``support`` widened by its length on each side.
    convolve : callable, optional
        ``convolve(f, g, t, support) -> array shaped like t``; default
        :func:`convlearn.continuous.convolve`. Pass your own to see it at work.
    n_points : int, optional
        Grid points for τ and t.
    """

    control_names = ("t",)
    main_control = "t"

    def __init__(self, f: Callable, g: Callable, *, support: tuple[float, float], t_range=None,
                 convolve: Callable | None = None, n_points: int = 241):
        super().__init__()
        lo, hi = (float(v) for v in support)
        if not hi > lo:
            raise ValueError(f"support must be (lo, hi) with lo < hi, got {support!r}")
        if t_range is None:
            width = hi - lo
            t_range = (lo - width, hi + width)
        a, b = (float(v) for v in t_range)
        if not b > a:
            raise ValueError(f"t_range must be (a, b) with a < b, got {t_range!r}")
        if convolve is None:
            from convlearn.continuous import convolve
        self.f, self.g, self.support, self.convolve = f, g, (lo, hi), convolve
        self.t_range = (a, b)
        self.tau = np.linspace(a, b, n_points)
        self.t_grid = np.linspace(a, b, n_points // 2 + 1)
        self.curve = np.asarray(convolve(f, g, self.t_grid, self.support), dtype=float)
        self.f_tau = np.asarray(f(self.tau), dtype=float)

    def compute(self, t: float = 0.0) -> FlipAndSlideState:
        t = float(t)
        g_flipped = np.asarray(self.g(t - self.tau), dtype=float)
        value = float(np.asarray(self.convolve(self.f, self.g, np.array([t]), self.support)).ravel()[0])
        return FlipAndSlideState(t=t, tau=self.tau, f_tau=self.f_tau, g_flipped=g_flipped,
                                 product=self.f_tau * g_flipped, value=value, t_grid=self.t_grid, curve=self.curve)

    def _make_controls(self) -> dict:
        import ipywidgets as widgets

        a, b = self.t_range
        return {"t": widgets.FloatSlider(value=0.5 * (a + b), min=a, max=b, step=(b - a) / 100,
                                         description="shift t", continuous_update=False)}

    def draw(self, fig: Figure, state: FlipAndSlideState) -> None:
        top, bottom = fig.subplots(2, 1, sharex=True)
        top.plot(state.tau, state.f_tau, label="f(τ)")
        top.plot(state.tau, state.g_flipped, label="g(t − τ)")
        top.fill_between(state.tau, state.product, color="C2", alpha=0.4, label="f(τ) g(t − τ)")
        top.axvline(state.t, color="k", lw=0.8, ls=":")
        top.set_ylabel("value")
        top.set_title(f"t = {state.t:.2f}: shaded area = (f ∗ g)(t) = {state.value:.3f}", fontsize="medium")
        top.legend(loc="upper right", fontsize="x-small")
        bottom.plot(state.t_grid, state.curve, color="C3", label="(f ∗ g)(t)")
        bottom.plot([state.t], [state.value], "o", color="C3")
        bottom.axvline(state.t, color="k", lw=0.8, ls=":")
        bottom.set_xlabel("τ (top), t (bottom)")
        bottom.set_ylabel("(f ∗ g)(t)")


def flip_and_slide(f, g, *, support, t_range=None, convolve=None):
    """The continuous flip-and-slide explorer's widget (see :class:`FlipAndSlide`)."""
    return FlipAndSlide(f, g, support=support, t_range=t_range, convolve=convolve).widget


# ============================================================================================
# discrete flip and slide
# ============================================================================================
@dataclass(frozen=True)
class DiscreteState:
    """One output sample of a discrete convolution (or correlation).

    Attributes
    ----------
    n : int
        Index of the output sample (index into the "full" output, starting at 0).
    m : (P,) int array
        Indices of x that meet a weight.
    weights : (P,) array
        The weight each x[m] meets: k[n − m] (convolution) or k[m − n + K − 1] (correlation).
    products : (P,) array
        x[m] × weight.
    terms_sum : float
        Sum of the products, computed here.
    value : float
        y[n] as returned by the ``convolve`` function in use (should equal ``terms_sum``).
    output : (L + K − 1,) array
        The whole output of the ``convolve`` function.
    """

    n: int
    m: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    terms_sum: float
    value: float
    output: np.ndarray


class DiscreteFlipAndSlide(_Explorer):
    """(x ∗ k)[n] = Σ_m x[m] k[n − m], one output at a time, over the "full" output indices.

    Parameters
    ----------
    x, k : 1-D arrays
    convolve : callable, optional
        ``convolve(x, k) -> full output`` of length len(x) + len(k) − 1. Default
        :func:`convlearn.signal.convolve1d` (or :func:`convlearn.signal.correlate1d` with
        ``mode="full"`` when ``flip=False``).
    flip : bool, optional
        True (default) shows convolution (k flipped); False shows cross-correlation, where
        output n pairs x[m] with k[m − n + K − 1] (NumPy's ``correlate(x, k, "full")`` indexing).
    """

    control_names = ("n",)
    main_control = "n"

    def __init__(self, x, k, *, convolve: Callable | None = None, flip: bool = True):
        super().__init__()
        self.x = np.asarray(x, dtype=float)
        self.k = np.asarray(k, dtype=float)
        if self.x.ndim != 1 or self.k.ndim != 1 or self.x.size == 0 or self.k.size == 0:
            raise ValueError(f"x and k must be non-empty 1-D arrays, got shapes {self.x.shape} and {self.k.shape}")
        self.flip = bool(flip)
        if convolve is None:
            from convlearn import signal

            if self.flip:
                def convolve(x, k):
                    return signal.convolve1d(x, k, mode="full")
            else:
                def convolve(x, k):
                    return signal.correlate1d(x, k, mode="full")
        self.convolve = convolve
        self.output = np.asarray(convolve(self.x, self.k), dtype=float)
        expected = self.x.size + self.k.size - 1
        if self.output.shape != (expected,):
            raise ValueError(f"convolve(x, k) must return the full output of shape ({expected},), "
                             f"got {self.output.shape} for x {self.x.shape} and k {self.k.shape}")

    @property
    def n_outputs(self) -> int:
        return self.output.size

    def weight_index(self, n: int, m: np.ndarray) -> np.ndarray:
        """Index into k of the weight that meets x[m] for output n."""
        return n - m if self.flip else m - n + self.k.size - 1

    def compute(self, n: int = 0) -> DiscreteState:
        n = int(n)
        if not 0 <= n < self.n_outputs:
            raise ValueError(f"n must be in [0, {self.n_outputs - 1}] for x {self.x.shape} and k {self.k.shape}, "
                             f"got {n}")
        m = np.arange(self.x.size)
        idx = self.weight_index(n, m)
        ok = (idx >= 0) & (idx < self.k.size)
        m, idx = m[ok], idx[ok]
        weights = self.k[idx]
        products = self.x[m] * weights
        return DiscreteState(n=n, m=m, weights=weights, products=products, terms_sum=float(products.sum()),
                             value=float(self.output[n]), output=self.output)

    def _make_controls(self) -> dict:
        import ipywidgets as widgets

        return {"n": widgets.IntSlider(value=0, min=0, max=self.n_outputs - 1, description="output n")}

    def draw(self, fig: Figure, state: DiscreteState) -> None:
        top, bottom = fig.subplots(2, 1)
        mx = np.arange(self.x.size)
        top.stem(mx, self.x, basefmt="k-", label="x[m]")
        # where every weight of k sits for this n (including the ones that fall off x)
        j = np.arange(self.k.size)
        pos = state.n - j if self.flip else j + state.n - self.k.size + 1
        ml, sl, _ = top.stem(pos + 0.15, self.k, linefmt="C1-", markerfmt="C1s", basefmt=" ",
                             label="k[n − m]" if self.flip else "k[m − n + K − 1]")
        for mi, p in zip(state.m, state.products, strict=True):
            top.annotate(f"{p:.2g}", (mi, 0), xytext=(0, -14), textcoords="offset points", ha="center",
                         fontsize="x-small", color="C2")
        top.set_xlim(-self.k.size, self.x.size + self.k.size - 1)
        top.set_xlabel("m")
        top.set_ylabel("value")
        op = "x ∗ k" if self.flip else r"$x \star k$"
        top.set_title(f"n = {state.n}: Σ products = {state.terms_sum:.3g}, ({op})[n] = {state.value:.3g}",
                      fontsize="medium")
        top.legend(loc="upper right", fontsize="x-small")
        n_all = np.arange(self.n_outputs)
        bottom.stem(n_all[: state.n + 1], state.output[: state.n + 1], linefmt="C3-", markerfmt="C3o", basefmt="k-")
        bottom.set_xlim(-0.5, self.n_outputs - 0.5)
        lo, hi = min(0.0, state.output.min()), max(0.0, state.output.max())
        pad = 0.1 * (hi - lo or 1.0)
        bottom.set_ylim(lo - pad, hi + pad)
        bottom.set_xlabel("n")
        bottom.set_ylabel(f"({op})[n]")


def discrete_flip_and_slide(x, k, *, convolve=None, flip=True):
    """The discrete flip-and-slide explorer's widget (see :class:`DiscreteFlipAndSlide`)."""
    return DiscreteFlipAndSlide(x, k, convolve=convolve, flip=flip).widget


# ============================================================================================
# 2-D kernel explorer
# ============================================================================================
def parse_kernel(text: str) -> np.ndarray:
    """Parse a kernel written as rows of numbers (one row per line, separated by spaces or commas).

    >>> parse_kernel("1 0 -1\\n2 0 -2\\n1 0 -1").shape
    (3, 3)
    """
    rows = [line.replace(",", " ").split() for line in str(text).strip().splitlines() if line.strip()]
    if not rows:
        raise ValueError("kernel text is empty: write one row of numbers per line")
    if len({len(r) for r in rows}) != 1:
        raise ValueError(f"kernel rows must all have the same length, got lengths {[len(r) for r in rows]}")
    try:
        return np.array([[float(v) for v in r] for r in rows])
    except ValueError as exc:
        raise ValueError(f"kernel entries must be numbers: {exc}") from None


def _format_kernel(kernel: np.ndarray) -> str:
    return "\n".join(" ".join(f"{v:.4g}" for v in row) for row in np.asarray(kernel))


@dataclass(frozen=True)
class KernelState:
    """The kernel explorer's picture: the kernel and the filtered image.

    Attributes
    ----------
    name : str
        The chosen kernel's name ("custom" once edited).
    kernel : (kH, kW) array
    output : 2-D array
        ``convolve(image, kernel)``.
    error : str
        Empty, or why the kernel text could not be used (then ``output`` is the previous one).
    """

    name: str
    kernel: np.ndarray
    output: np.ndarray
    error: str = ""


class KernelExplorer(_Explorer):
    """Pick a kernel (or type one) and see the filtered image.

    Parameters
    ----------
    image : (H, W) array
    kernels : mapping name -> 2-D array, optional
        Default :func:`convlearn.viz.plots.classic_kernels`.
    convolve : callable, optional
        ``convolve(image, kernel) -> 2-D array``; default
        ``convlearn.signal.convolve2d(image, kernel, mode="same", boundary="symm")``.
    """

    control_names = ("name", "text")
    main_control = "name"
    figsize = (8.5, 3.6)

    def __init__(self, image, *, kernels: Mapping[str, np.ndarray] | None = None, convolve: Callable | None = None):
        super().__init__()
        self.image = np.asarray(image, dtype=float)
        if self.image.ndim != 2:
            raise ValueError(f"image must be 2-D (H, W), got shape {self.image.shape}")
        self.kernels = {k: np.asarray(v, dtype=float) for k, v in (kernels or classic_kernels()).items()}
        if not self.kernels:
            raise ValueError("kernels must contain at least one kernel")
        if convolve is None:
            from convlearn import signal

            def convolve(image, kernel):
                return signal.convolve2d(image, kernel, mode="same", boundary="symm")
        self.convolve = convolve
        self._text = None
        self._error = None
        self._last_output = None

    def compute(self, name: str | None = None, text: str | None = None) -> KernelState:
        """Kernel ``name`` from the list, or the kernel written in ``text`` when it differs from it."""
        name = next(iter(self.kernels)) if name is None else name
        if name not in self.kernels:
            raise ValueError(f"unknown kernel {name!r}; choose one of {sorted(self.kernels)}")
        kernel, error, shown = self.kernels[name], "", name
        if text is not None and text.strip() and text.strip() != _format_kernel(kernel):
            try:
                kernel, shown = parse_kernel(text), "custom"
            except ValueError as exc:
                error = str(exc)
        if error and self._last_output is not None:
            output = self._last_output
        else:
            output = np.asarray(self.convolve(self.image, kernel), dtype=float)
            self._last_output = output
        return KernelState(name=shown, kernel=kernel, output=output, error=error)

    def _make_controls(self) -> dict:
        import ipywidgets as widgets

        names = list(self.kernels)
        dropdown = widgets.Dropdown(options=names, value=names[0], description="kernel")
        text = widgets.Textarea(value=_format_kernel(self.kernels[names[0]]), description="edit",
                                layout=widgets.Layout(width="22em", height="7em"), continuous_update=False)
        self._text = text
        self._error = widgets.HTML("")
        return {"name": dropdown, "text": text}

    def _extra_widgets(self) -> list:
        return [self._error]

    def _handle_change(self, change) -> None:
        if change["owner"] is self._controls["name"]:
            # choosing a kernel from the list rewrites the text box (which triggers one update)
            new_text = _format_kernel(self.kernels[change["new"]])
            if self._text.value != new_text:
                self._text.value = new_text
                return
        self.update()

    def update(self, **values):
        if "name" in values and "text" not in values and self._text is not None:
            values["text"] = _format_kernel(self.kernels[values["name"]])
        state = super().update(**values)
        if self._error is not None:
            self._error.value = f"<span style='color:#b00'>{state.error}</span>" if state.error else ""
        return state

    def draw(self, fig: Figure, state: KernelState) -> None:
        ax_in, ax_k, ax_out = fig.subplots(1, 3, width_ratios=[3, 2.2, 3])
        ax_in.imshow(self.image, cmap="gray")
        ax_in.set_title("input I", fontsize="small")
        small = state.kernel.size <= 9
        annotate_matrix(ax_k, state.kernel, fmt="{:.2g}" if small else "{:.2f}", fontsize="x-small" if small else 6)
        ax_k.set_title(f"kernel: {state.name}", fontsize="small")
        kh, kw = state.kernel.shape
        ax_k.set_yticks(range(kh), [str(m - kh // 2) for m in range(kh)])
        ax_k.set_xticks(range(kw), [str(n - kw // 2) for n in range(kw)])
        ax_k.set_xlabel("n")
        ax_k.set_ylabel("m")
        out = state.output
        if out.min() < -1e-12 and np.abs(state.kernel.sum()) < 1e-9:  # zero-sum kernel: signed output
            lim = float(np.percentile(np.abs(out), 99)) or 1.0
            ax_out.imshow(out, cmap="RdBu_r", vmin=-lim, vmax=lim)
        else:
            ax_out.imshow(out, cmap="gray")
        ax_out.set_title("output I ∗ K", fontsize="small")
        for ax in (ax_in, ax_out):
            ax.set_xlabel("column j")
            ax.set_ylabel("row i")


def kernel_explorer(image, *, kernels=None, convolve=None):
    """The 2-D kernel explorer's widget (see :class:`KernelExplorer`)."""
    return KernelExplorer(image, kernels=kernels, convolve=convolve).widget


# ============================================================================================
# sliding window on an image
# ============================================================================================
@dataclass(frozen=True)
class WindowState:
    """Which inputs and weights make the output S(i, j) of the centred sum.

    Attributes
    ----------
    i, j : int
        Output position.
    window : (2M+1, 2N+1) array
        I(i + m, j + n), zero where (i + m, j + n) is outside the image.
    products : (2M+1, 2N+1) array
        window × K.
    terms_sum : float
        Sum of the products, computed here.
    value : float
        S(i, j) as returned by the ``centred_sum`` function in use.
    """

    i: int
    j: int
    window: np.ndarray
    products: np.ndarray
    terms_sum: float
    value: float


class SlidingWindow(_Explorer):
    """S(i, j) = Σ_m Σ_n I(i + m, j + n) K(m, n): the window of inputs and the weights behind one output.

    Parameters
    ----------
    image : (H, W) array
        Keep it small (say up to 16 × 16) so that the numbers stay readable.
    kernel : (2M+1, 2N+1) array
        Odd sizes.
    centred_sum : callable, optional
        ``centred_sum(image, kernel, i, j) -> float``; default
        :func:`convlearn.signal.reference.centred_sum`.
    """

    control_names = ("i", "j")
    main_control = "i"
    figsize = (8.0, 3.2)

    def __init__(self, image, kernel, *, centred_sum: Callable | None = None):
        super().__init__()
        self.image = np.asarray(image, dtype=float)
        self.kernel = np.asarray(kernel, dtype=float)
        if self.image.ndim != 2 or self.kernel.ndim != 2:
            raise ValueError(f"image and kernel must be 2-D, got shapes {self.image.shape} and {self.kernel.shape}")
        if self.kernel.shape[0] % 2 == 0 or self.kernel.shape[1] % 2 == 0:
            raise ValueError(f"kernel must have odd sizes (2M+1, 2N+1), got shape {self.kernel.shape}")
        if centred_sum is None:
            from convlearn.signal.reference import centred_sum
        self.centred_sum = centred_sum
        self.M, self.N = self.kernel.shape[0] // 2, self.kernel.shape[1] // 2
        padded = np.pad(self.image, ((self.M, self.M), (self.N, self.N)))
        self._padded = padded

    def compute(self, i: int = 0, j: int = 0) -> WindowState:
        i, j = int(i), int(j)
        H, W = self.image.shape
        if not (0 <= i < H and 0 <= j < W):
            raise ValueError(f"(i, j) must lie in the image of shape {self.image.shape}, got ({i}, {j})")
        window = self._padded[i: i + 2 * self.M + 1, j: j + 2 * self.N + 1].copy()
        products = window * self.kernel
        value = float(self.centred_sum(self.image, self.kernel, i, j))
        return WindowState(i=i, j=j, window=window, products=products, terms_sum=float(products.sum()), value=value)

    def _make_controls(self) -> dict:
        import ipywidgets as widgets

        H, W = self.image.shape
        return {"i": widgets.IntSlider(value=H // 2, min=0, max=H - 1, description="row i"),
                "j": widgets.IntSlider(value=W // 2, min=0, max=W - 1, description="column j")}

    def draw(self, fig: Figure, state: WindowState) -> None:
        ax_img, ax_k, ax_p = fig.subplots(1, 3, width_ratios=[2.2, 1, 1])
        ax_img.imshow(self.image, cmap="gray")
        ax_img.add_patch(Rectangle((state.j - self.N - 0.5, state.i - self.M - 0.5), 2 * self.N + 1,
                                   2 * self.M + 1, fill=False, ec="C1", lw=2))
        ax_img.plot([state.j], [state.i], "s", color="C3", ms=5)
        ax_img.set_title(f"image I, window at (i, j) = ({state.i}, {state.j})", fontsize="small")
        ax_img.set_xlabel("column j")
        ax_img.set_ylabel("row i")
        annotate_matrix(ax_k, self.kernel, fmt="{:.2g}", fontsize="x-small", cmap="Oranges")
        ax_k.set_title("weights K(m, n)", fontsize="small")
        annotate_matrix(ax_p, state.products, fmt="{:.2g}", fontsize="x-small", cmap="Greens")
        ax_p.set_title(f"products: S(i, j) = {state.value:.3g}", fontsize="small")
        labels_m = [str(m) for m in range(-self.M, self.M + 1)]
        labels_n = [str(n) for n in range(-self.N, self.N + 1)]
        for ax in (ax_k, ax_p):
            ax.set_yticks(range(2 * self.M + 1), labels_m)
            ax.set_xticks(range(2 * self.N + 1), labels_n)
            ax.set_xlabel("n")
            ax.set_ylabel("m")


def sliding_window(image, kernel, *, centred_sum=None):
    """The sliding-window explorer's widget (see :class:`SlidingWindow`)."""
    return SlidingWindow(image, kernel, centred_sum=centred_sum).widget
