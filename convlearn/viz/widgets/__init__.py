"""The book's live explorers: widgets that compute in the browser, on the website and in JupyterLab.

Each explorer is an :class:`anywidget.AnyWidget` whose front end (a hand-written ES module in this folder,
e.g. ``flip_and_slide.js``, preceded by the shared page helpers of ``_common.js`` and the maths of
``_rules.js``) recomputes and redraws the picture as its controls move. On the static website there is no
Python kernel: the JavaScript computes everything, with the same rules as convlearn
(``tests/test_explorer_rules.py`` checks every function of ``_rules.js`` against convlearn on a grid; the
site's browser test compares the numbers each widget shows with convlearn's). In JupyterLab the same widget
runs, and where the reader passes a Python function (``convolve=...``), Python computes with that function and
the widget shows the result; an exception raised by the reader's function is shown in the widget (and the
picture is hidden rather than left stale).

The front end is stored in the page with the widget's state when a chapter runs. After editing a ``.js``
file, build the book as usual: the book's Sphinx extension ``book/_ext/convlearn_explorers.py`` finds the
cached executions and pages that hold an old front end, runs those chapters again and rewrites their pages.

Each front end lays its picture out for the width the explorer gets (a phone's 375 px or a desktop column,
at most 900 px) and redraws when that width changes, so that its text stays 12 px on every screen.

The controls are traits (``widget.t = 1.5`` moves the slider); the Python methods of each class
(``value``, ``layout``, ``fields``, ...) give what the picture shows, computed by convlearn.

The explorers:

* :class:`FlipAndSlide`: (f * g)(t) = ∫ f(τ) g(t − τ) dτ, for the book's functions or your own (chapter 1);
* :class:`DiscreteFlipAndSlide`: one output sample of x * k or x ⋆ k, with its products (chapters 3 and 5);
* :class:`SlidingWindow`: the window of inputs and the weights behind one output of the centred sum (chapter 4);
* :class:`KernelExplorer`: a kernel (chosen or typed) applied to an image (chapter 4);
* :class:`ArithmeticExplorer`: output size, diagram and relationship of a (transposed) convolution (chapter 7);
* :class:`ReceptiveFieldExplorer`: the units a chosen unit of a 1-D stack depends on (chapter 8).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import anywidget
import numpy as np
import traitlets

from convlearn import continuous
from convlearn._validation import as_axis_geometry, as_nonnegative_int, as_positive_int
from convlearn.nn.functional import (
    LayerGeometry,
    ReceptiveField,
    conv_output_size,
    conv_transpose_output_size,
    receptive_field,
)

__all__ = [
    "CONTINUOUS_FUNCTIONS",
    "ContinuousFunction",
    "FlipAndSlide",
    "DiscreteFlipAndSlide",
    "SlidingWindow",
    "KernelExplorer",
    "ArithmeticExplorer",
    "ReceptiveFieldExplorer",
    "parse_kernel",
    "encode_float64",
    "esm_source",
]

_HERE = Path(__file__).resolve().parent


#: The files every explorer's ES module starts with: the page helpers, then the maths (``_rules.js``).
_SHARED_JS = ("_common.js", "_rules.js")


def esm_source(name: str) -> str:
    """The ES module of explorer ``name``: ``_common.js``, ``_rules.js`` then ``{name}.js`` (no imports)."""
    files = (*_SHARED_JS, f"{name}.js")
    return "\n".join((_HERE / file).read_text(encoding="utf-8") for file in files)


def encode_float64(array) -> str:
    """Base64 text of ``array`` as little-endian float64 in row-major order (decoded by ``decodeFloat64``)."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f8").tobytes()).decode("ascii")


class _BadResult(ValueError):
    """What the reader's function returned cannot be shown (wrong shape)."""


def _describe(exc: BaseException) -> str:
    if isinstance(exc, _BadResult):
        return f"your function's result cannot be shown: {exc}"
    return f"{type(exc).__name__} raised by your function: {exc}"


class _LiveExplorer(anywidget.AnyWidget):
    """Traits every explorer shares: whether Python computes (``python``) and the error to show (``error``)."""

    #: True when a function of the reader's computes the picture (Python), False when the browser does.
    python = traitlets.Bool(False).tag(sync=True)
    #: Shown in the widget in place of the picture when not empty.
    error = traitlets.Unicode("").tag(sync=True)
    #: False while ``__init__`` sets the traits: Python computes once, at the end of ``__init__``.
    _ready = False

    def _start(self) -> None:
        """End of ``__init__``: from now on a change of a control recomputes (when Python computes)."""
        self._ready = True
        if self.python:
            self._compute_python()

    def _recompute(self, change=None) -> None:
        if self._ready and self.python:
            self._compute_python()

    def _compute_python(self) -> None:  # pragma: no cover - overridden where the reader passes functions
        pass

    def _run(self, compute: Callable[[], dict]) -> None:
        """Call the reader's function through ``compute``; send its result (trait ``py``) or its error."""
        try:
            result = compute()
        except Exception as exc:  # the reader's code may raise anything: show it in the widget
            self.py = {}
            self.error = _describe(exc)
        else:
            self.py = result
            self.error = ""


# ============================================================================================
# continuous flip and slide
# ============================================================================================
@dataclass(frozen=True)
class ContinuousFunction:
    """One of the book's functions the flip-and-slide explorer offers.

    Attributes
    ----------
    label : str
        What the drop-down list shows.
    fn : callable
        The function, from :mod:`convlearn.continuous` (the JavaScript has the same formula under the same name).
    support : (float, float) or None
        Interval outside which the function is zero (or below 1e-13); None if it has none (it can only be g).
    """

    label: str
    fn: Callable[[np.ndarray], np.ndarray]
    support: tuple[float, float] | None


#: The functions of the flip-and-slide explorer, by the names its front end knows.
CONTINUOUS_FUNCTIONS: dict[str, ContinuousFunction] = {
    "box": ContinuousFunction("unit box", continuous.box, (-0.5, 0.5)),
    "box2": ContinuousFunction("box of width 2", partial(continuous.box, width=2.0), (-1.0, 1.0)),
    "triangle": ContinuousFunction("triangle", continuous.triangle, (-1.0, 1.0)),
    "gaussian": ContinuousFunction("Gaussian N(0, 1)", continuous.gaussian, (-12.0, 12.0)),
    "gaussian_half": ContinuousFunction("Gaussian N(0, 0.25)", partial(continuous.gaussian, sigma=0.5), (-6.0, 6.0)),
    "exp": ContinuousFunction("e^(−t) u(t)", continuous.exp_decay, (0.0, 30.0)),
    "step": ContinuousFunction("unit step u(t)", continuous.unit_step, None),
}


class FlipAndSlide(_LiveExplorer):
    """Flip g, slide it by t, multiply by f and take the area: (f * g)(t) = ∫ f(τ) g(t − τ) dτ.

    Parameters
    ----------
    f, g : str or callable, optional
        A name of :data:`CONTINUOUS_FUNCTIONS` (default ``"box"`` and ``"exp"``), chosen again in the widget's
        lists; or your own vectorised function of one real array (then Python computes the picture).
    support : (lo, hi), optional
        Interval outside which ``f`` is zero; required when ``f`` is your own function.
    t : float, optional
        Initial shift; default the middle of ``t_range``.
    t_range : (a, b), optional
        Range of the shift t and of the τ axis.
    convolve : callable, optional
        ``convolve(f, g, t, support) -> array shaped like t``, e.g. your own implementation of the integral; by
        default the browser computes (the midpoint rule of :func:`convlearn.continuous.convolve`).

    Notes
    -----
    In the browser the value shown is the composite midpoint rule with ``n_cells`` cells over the support of
    ``f`` (the cells of :func:`convlearn.continuous.convolve`), i.e.
    :func:`convlearn.continuous.riemann_convolve` with ``rule="midpoint"``. :meth:`value` uses ``convolve``,
    which also treats the jumps of the integrand as breakpoints, so near a jump the two differ slightly.
    """

    _esm = esm_source("flip_and_slide")
    f = traitlets.Unicode("box").tag(sync=True)
    g = traitlets.Unicode("exp").tag(sync=True)
    t = traitlets.Float(0.0).tag(sync=True)
    t_range = traitlets.List(traitlets.Float(), [-2.0, 4.0]).tag(sync=True)
    n_cells = traitlets.Int(20_000).tag(sync=True)
    functions = traitlets.List(traitlets.Dict()).tag(sync=True)
    py = traitlets.Dict().tag(sync=True)

    def __init__(self, f="box", g="exp", *, support=None, t=None, t_range=(-2.0, 4.0), convolve=None, **kwargs):
        a, b = (float(v) for v in t_range)
        if not b > a:
            raise ValueError(f"t_range must be (a, b) with a < b, got {t_range!r}")
        self._f, f_name, f_support = self._resolve(f, "f")
        self._g, g_name, _ = self._resolve(g, "g")
        if support is None:
            if f_support is None:
                raise ValueError("support=(lo, hi) is required: the interval outside which your f is zero")
            support = f_support
        lo, hi = (float(v) for v in support)
        if not hi > lo:
            raise ValueError(f"support must be (lo, hi) with lo < hi, got {support!r}")
        self.support = (lo, hi)
        self._convolve = convolve or continuous.convolve
        python = callable(f) or callable(g) or convolve is not None
        functions = [{"name": name, "label": fn.label, "support": list(fn.support) if fn.support else None}
                     for name, fn in CONTINUOUS_FUNCTIONS.items()]
        super().__init__(f=f_name, g=g_name, t=0.5 * (a + b) if t is None else float(t), t_range=[a, b],
                         functions=functions, python=python, **kwargs)
        self._curve = None
        self._start()

    @staticmethod
    def _resolve(fn, name):
        if callable(fn):
            return fn, getattr(fn, "__name__", "your function"), None
        if fn not in CONTINUOUS_FUNCTIONS:
            raise ValueError(f"{name} must be a function or one of {sorted(CONTINUOUS_FUNCTIONS)}, got {fn!r}")
        if name == "f" and CONTINUOUS_FUNCTIONS[fn].support is None:
            raise ValueError(f"f={fn!r} has no bounded support: choose it as g, or pass support=")
        return CONTINUOUS_FUNCTIONS[fn].fn, fn, CONTINUOUS_FUNCTIONS[fn].support

    @traitlets.observe("f", "g")
    def _names_changed(self, change) -> None:
        if change["new"] in CONTINUOUS_FUNCTIONS and not self.python:
            fn = CONTINUOUS_FUNCTIONS[change["new"]]
            if change["name"] == "f":
                self._f, self.support = fn.fn, fn.support
            else:
                self._g = fn.fn

    @traitlets.observe("t")
    def _t_changed(self, change) -> None:
        self._recompute()

    def value(self, t: float | None = None) -> float:
        """(f * g)(t) by the ``convolve`` in use (default: :func:`convlearn.continuous.convolve`)."""
        t = self.t if t is None else float(t)
        return float(np.asarray(self._convolve(self._f, self._g, np.array([t]), self.support)).ravel()[0])

    def _compute_python(self) -> None:
        a, b = self.t_range

        def compute() -> dict:
            tau = np.linspace(a, b, 481)
            if self._curve is None:
                t_grid = np.linspace(a, b, 161)
                curve = np.asarray(self._convolve(self._f, self._g, t_grid, self.support), dtype=float)
                if curve.shape != t_grid.shape:
                    raise _BadResult(f"convolve returned shape {curve.shape} for t of shape {t_grid.shape}")
                self._curve = (t_grid, curve)
            t_grid, curve = self._curve
            return {"tau": tau.tolist(), "f_tau": np.asarray(self._f(tau), dtype=float).tolist(),
                    "g_flipped": np.asarray(self._g(self.t - tau), dtype=float).tolist(), "value": self.value(),
                    "t_grid": t_grid.tolist(), "curve": curve.tolist()}

        self._run(compute)


# ============================================================================================
# discrete flip and slide
# ============================================================================================
class DiscreteFlipAndSlide(_LiveExplorer):
    """One sample of the full convolution (x * k)[n] = Σ_m x[m] k[n − m], or of the correlation.

    Parameters
    ----------
    x, k : 1-D array_like
        Signal (length L) and kernel (length K); both can be edited in the widget.
    flip : bool, optional
        True (default): convolution; False: cross-correlation in NumPy's ``"full"`` indexing, where output n
        pairs x[m] with k[m − n + K − 1].
    n : int, optional
        Initial output index, ``0 <= n <= L + K − 2``.
    convolve : callable, optional
        Your ``convolve(x, k)`` returning the full output of shape ``(L + K − 1,)`` (with ``flip=False``: your
        full correlation). Python then computes the output; the widget shows it next to the sum of the products.
    """

    _esm = esm_source("discrete")
    x = traitlets.List(traitlets.Float()).tag(sync=True)
    k = traitlets.List(traitlets.Float()).tag(sync=True)
    flip = traitlets.Bool(True).tag(sync=True)
    n = traitlets.Int(0).tag(sync=True)
    py = traitlets.Dict().tag(sync=True)

    def __init__(self, x, k, *, flip: bool = True, n: int = 0, convolve: Callable | None = None, **kwargs):
        x_arr, k_arr = np.asarray(x, dtype=float), np.asarray(k, dtype=float)
        if x_arr.ndim != 1 or k_arr.ndim != 1 or x_arr.size == 0 or k_arr.size == 0:
            raise ValueError(f"x and k must be non-empty 1-D arrays, got shapes {x_arr.shape} and {k_arr.shape}")
        n = as_nonnegative_int(n, "n")
        if n > x_arr.size + k_arr.size - 2:
            raise ValueError(f"n must be in [0, {x_arr.size + k_arr.size - 2}] for x {x_arr.shape} and k {k_arr.shape}")
        self._convolve = convolve
        super().__init__(x=x_arr.tolist(), k=k_arr.tolist(), flip=bool(flip), n=n, python=convolve is not None,
                         **kwargs)
        self._start()

    def output(self) -> np.ndarray:
        """The full output: your ``convolve`` if given, else :func:`convlearn.signal.convolve1d` (or
        :func:`convlearn.signal.correlate1d` when ``flip`` is False) with ``mode="full"``."""
        from convlearn import signal

        x, k = np.array(self.x), np.array(self.k)
        if self._convolve is not None:
            return np.asarray(self._convolve(x, k), dtype=float)
        op = signal.convolve1d if self.flip else signal.correlate1d
        return op(x, k, mode="full")

    def products(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(m, j, x[m] k[j])`` for the samples of x that meet a weight k[j] at output ``n``."""
        x, k = np.array(self.x), np.array(self.k)
        m = np.arange(x.size)
        j = self.n - m if self.flip else m - self.n + k.size - 1
        ok = (j >= 0) & (j < k.size)
        return m[ok], j[ok], x[m[ok]] * k[j[ok]]

    @traitlets.observe("x", "k", "flip")
    def _inputs_changed(self, change) -> None:
        self._recompute()

    def _compute_python(self) -> None:
        def compute() -> dict:
            out = self.output()
            expected = (len(self.x) + len(self.k) - 1,)
            if out.shape != expected:
                raise _BadResult(f"convolve(x, k) must return the full output of shape {expected}, got {out.shape} "
                                 f"for x of length {len(self.x)} and k of length {len(self.k)}")
            return {"output": out.tolist()}

        self._run(compute)


# ============================================================================================
# sliding window of the centred sum
# ============================================================================================
class SlidingWindow(_LiveExplorer):
    """S(i, j) = Σ_m Σ_n I(i + m, j + n) K(m, n): the window of inputs and the weights behind one output.

    Parameters
    ----------
    image : (H, W) array_like
        Keep it small (up to about 16 × 16) so that the numbers stay readable.
    kernel : (2M+1, 2N+1) array_like
        Odd sizes.
    i, j : int, optional
        Initial output position; default the centre of the image.
    centred_sum : callable, optional
        Your ``centred_sum(image, kernel, i, j) -> float``; Python then computes the value shown, next to the
        sum of the products drawn. By default the browser computes it (as
        :func:`convlearn.signal.reference.centred_sum`, zero outside the image).
    """

    _esm = esm_source("sliding_window")
    image = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    kernel = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    i = traitlets.Int(0).tag(sync=True)
    j = traitlets.Int(0).tag(sync=True)
    py = traitlets.Dict().tag(sync=True)

    def __init__(self, image, kernel, *, i: int | None = None, j: int | None = None,
                 centred_sum: Callable | None = None, **kwargs):
        img, ker = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
        if img.ndim != 2 or ker.ndim != 2 or img.size == 0 or ker.size == 0:
            raise ValueError(f"image and kernel must be non-empty 2-D arrays, got shapes {img.shape} and {ker.shape}")
        if ker.shape[0] % 2 == 0 or ker.shape[1] % 2 == 0:
            raise ValueError(f"kernel must have odd sizes (2M+1, 2N+1), got shape {ker.shape}")
        H, W = img.shape
        i = H // 2 if i is None else as_nonnegative_int(i, "i")
        j = W // 2 if j is None else as_nonnegative_int(j, "j")
        if i >= H or j >= W:
            raise ValueError(f"(i, j) must lie in the image of shape {img.shape}, got ({i}, {j})")
        self._image, self._kernel, self._centred_sum = img, ker, centred_sum
        super().__init__(image=img.tolist(), kernel=ker.tolist(), i=i, j=j, python=centred_sum is not None, **kwargs)
        self._start()

    def value(self) -> float:
        """S(i, j) by your ``centred_sum`` if given, else :func:`convlearn.signal.reference.centred_sum`."""
        fn = self._centred_sum
        if fn is None:
            from convlearn.signal.reference import centred_sum as fn
        return float(fn(self._image, self._kernel, self.i, self.j))

    def products(self) -> np.ndarray:
        """I(i + m, j + n) K(m, n) for m = −M..M, n = −N..N (I is 0 outside the image)."""
        M, N = self._kernel.shape[0] // 2, self._kernel.shape[1] // 2
        padded = np.pad(self._image, ((M, M), (N, N)))
        return padded[self.i : self.i + 2 * M + 1, self.j : self.j + 2 * N + 1] * self._kernel

    @traitlets.observe("i", "j")
    def _position_changed(self, change) -> None:
        self._recompute()

    def _compute_python(self) -> None:
        self._run(lambda: {"value": self.value()})


# ============================================================================================
# 2-D kernel explorer
# ============================================================================================
def parse_kernel(text: str) -> np.ndarray:
    """Parse a kernel written as rows of numbers (one row per line, separated by spaces or commas).

    >>> parse_kernel("1 0 -1\\n2 0 -2\\n1 0 -1").shape
    (3, 3)
    """
    rows = [line.replace(",", " ").replace(";", " ").split() for line in str(text).strip().splitlines() if line.strip()]
    if not rows:
        raise ValueError("the kernel is empty: write one row of numbers per line")
    if len({len(r) for r in rows}) != 1:
        raise ValueError(f"kernel rows must all have the same length, got lengths {[len(r) for r in rows]}")
    try:
        return np.array([[float(v) for v in r] for r in rows])
    except ValueError as exc:
        raise ValueError(f"kernel entries must be numbers: {exc}") from None


class KernelExplorer(_LiveExplorer):
    """Choose a kernel K (or type one), convolution or correlation, and see the filtered image.

    Parameters
    ----------
    image : (H, W) array_like
        The image I (e.g. :func:`convlearn.data.sample_image`).
    kernels : mapping name -> (kH, kW) array_like, optional
        Default :func:`convlearn.data.classic_kernels`.
    flip : bool, optional
        True (default): convolution I * K; False: correlation I ⋆ K.
    convolve, correlate : callable, optional
        Your ``(image, kernel) -> (H, W) image``; Python then computes the output. By default the browser
        computes ``convlearn.signal.convolve2d`` (or ``correlate2d``) with ``mode="same", boundary="symm"``.
    """

    _esm = esm_source("kernel")
    image = traitlets.Unicode("").tag(sync=True)
    shape = traitlets.List(traitlets.Int(), [0, 0]).tag(sync=True)
    kernels = traitlets.List().tag(sync=True)
    name = traitlets.Unicode("").tag(sync=True)
    #: "" for the kernel called ``name``; otherwise the typed kernel, one row per line
    text = traitlets.Unicode("").tag(sync=True)
    flip = traitlets.Bool(True).tag(sync=True)
    probe = traitlets.List(traitlets.Int(), [0, 0]).tag(sync=True)
    py = traitlets.Dict().tag(sync=True)

    def __init__(self, image, *, kernels: Mapping | None = None, flip: bool = True, convolve: Callable | None = None,
                 correlate: Callable | None = None, **kwargs):
        img = np.asarray(image, dtype=float)
        if img.ndim != 2 or img.size == 0:
            raise ValueError(f"image must be a non-empty 2-D array (H, W), got shape {img.shape}")
        if kernels is None:
            from convlearn.data import classic_kernels

            kernels = classic_kernels()
        table = {str(name): np.asarray(v, dtype=float) for name, v in kernels.items()}
        if not table:
            raise ValueError("kernels must contain at least one kernel")
        for name, v in table.items():
            if v.ndim != 2 or v.size == 0:
                raise ValueError(f"kernels[{name!r}] must be a non-empty 2-D array, got shape {v.shape}")
        self._image, self._kernels = img, table
        self._functions = {True: convolve, False: correlate}
        H, W = img.shape
        super().__init__(image=encode_float64(img), shape=[H, W], kernels=[[k, v.tolist()] for k, v in table.items()],
                         name=next(iter(table)), flip=bool(flip), probe=[H // 2, W // 2],
                         python=convolve is not None or correlate is not None, **kwargs)
        self._start()

    def kernel(self) -> np.ndarray:
        """The kernel in use: the typed one (trait ``text``) if any, else the one called ``name``."""
        if self.text.strip():
            return parse_kernel(self.text)
        if self.name not in self._kernels:
            raise ValueError(f"unknown kernel {self.name!r}; choose one of {sorted(self._kernels)}")
        return self._kernels[self.name]

    def output(self) -> np.ndarray:
        """The filtered image: your function if given, else convlearn.signal's, mode "same", boundary "symm"."""
        fn = self._functions[self.flip]
        if fn is None:
            if self.python:
                raise ValueError(f"pass {'convolve' if self.flip else 'correlate'}= to see this operation computed "
                                 "by your own function")
            from convlearn import signal

            fn = partial(signal.convolve2d if self.flip else signal.correlate2d, mode="same", boundary="symm")
        return np.asarray(fn(self._image, self.kernel()), dtype=float)

    @traitlets.observe("name", "text", "flip")
    def _kernel_changed(self, change) -> None:
        self._recompute()

    def _compute_python(self) -> None:
        def compute() -> dict:
            out = self.output()
            if out.shape != self._image.shape:
                raise _BadResult(f"it must return an image of the input's shape {self._image.shape}, got {out.shape}")
            return {"output": encode_float64(out), "shape": list(out.shape)}

        self._run(compute)


# ============================================================================================
# convolution arithmetic
# ============================================================================================
class ArithmeticExplorer(_LiveExplorer):
    """Input size H, kernel size k, padding p, stride s, dilation d (and a transposed convolution with
    ``output_padding`` q): the diagram, the output size, the formula and the relationship (1–15, as in chapter 7).

    Parameters
    ----------
    input_size, kernel_size, padding, stride, dilation, output_padding : int, optional
        Initial values of the sliders (square input and kernel; one axis is drawn per grid side).
    transposed : bool, optional
        Start with the transposed convolution.
    """

    _esm = esm_source("arithmetic")
    input_size = traitlets.Int(5).tag(sync=True)
    kernel_size = traitlets.Int(3).tag(sync=True)
    padding = traitlets.Int(1).tag(sync=True)
    stride = traitlets.Int(2).tag(sync=True)
    dilation = traitlets.Int(1).tag(sync=True)
    output_padding = traitlets.Int(0).tag(sync=True)
    transposed = traitlets.Bool(False).tag(sync=True)
    #: the output cell (row, column) whose taps are drawn
    cell = traitlets.List(traitlets.Int(), [0, 0]).tag(sync=True)

    def __init__(self, input_size: int = 5, kernel_size: int = 3, padding: int = 1, stride: int = 2,
                 dilation: int = 1, *, transposed: bool = False, output_padding: int = 0, **kwargs):
        n, k, s, p, d, op = as_axis_geometry(input_size, kernel_size, stride, padding, dilation, output_padding,
                                             size_name="input_size")
        super().__init__(input_size=n, kernel_size=k, padding=p, stride=s, dilation=d, transposed=bool(transposed),
                         output_padding=op, **kwargs)

    def output_size(self) -> int:
        """Output size per axis, by :func:`convlearn.nn.functional.conv_output_size` (or the transposed one);
        raises ValueError for the settings the widget reports as invalid."""
        if self.transposed:
            return conv_transpose_output_size(self.input_size, self.kernel_size, stride=self.stride,
                                              padding=self.padding, output_padding=self.output_padding,
                                              dilation=self.dilation)
        return conv_output_size(self.input_size, self.kernel_size, stride=self.stride, padding=self.padding,
                                dilation=self.dilation)

    def layout(self):
        """The drawn geometry, :func:`convlearn.viz.arithmetic.conv_layout` of the current settings."""
        from ..arithmetic import conv_layout

        return conv_layout(self.input_size, self.kernel_size, stride=self.stride, padding=self.padding,
                           dilation=self.dilation, output_padding=self.output_padding if self.transposed else 0,
                           transposed=self.transposed)

    def selected_inputs(self) -> list[tuple[int, int]]:
        """Input cells (original coordinates) read by the selected output cell (clamped into the output)."""
        lay = self.layout()
        row, col = (min(max(v, 0), lay.output_size - 1) for v in self.cell)
        return lay.input_cells(row, col)


# ============================================================================================
# receptive field
# ============================================================================================
def _layer_dict(layer) -> dict:
    if not isinstance(layer, LayerGeometry):
        layer = LayerGeometry(*layer) if isinstance(layer, Sequence) else LayerGeometry(**layer)
    return {"kernel_size": layer.kernel_size, "stride": layer.stride, "padding": layer.padding,
            "dilation": layer.dilation}


class ReceptiveFieldExplorer(_LiveExplorer):
    """A 1-D stack of layers; click a unit to see the units below it that feed it.

    Parameters
    ----------
    layers : sequence of LayerGeometry (or (k, s, p, d) tuples)
        The stack, first layer first; layers can be added, removed and edited in the widget.
    input_length : int, optional
        Length of the input signal.
    selected : (level, unit), optional
        Level 0 is the input, level l the output of layer l; default the middle unit of the last layer.
    """

    _esm = esm_source("receptive_field")
    layers = traitlets.List(traitlets.Dict()).tag(sync=True)
    input_length = traitlets.Int(19).tag(sync=True)
    selected = traitlets.List(traitlets.Int(), [-1, -1]).tag(sync=True)

    def __init__(self, layers: Sequence, input_length: int = 19, *, selected=(-1, -1), **kwargs):
        if isinstance(layers, LayerGeometry) or not isinstance(layers, Sequence) or len(layers) == 0:
            raise ValueError(f"layers must be a non-empty sequence of LayerGeometry, got {layers!r}")
        super().__init__(layers=[_layer_dict(g) for g in layers],
                         input_length=as_positive_int(input_length, "input_length"),
                         selected=[int(v) for v in selected], **kwargs)

    def geometry(self) -> list[LayerGeometry]:
        """The stack as :class:`~convlearn.nn.functional.LayerGeometry` objects."""
        return [LayerGeometry(**g) for g in self.layers]

    def lengths(self) -> list[int]:
        """Length of the input and of each layer's output (:func:`convlearn.nn.functional.conv_output_size`)."""
        sizes = [self.input_length]
        for g in self.geometry():
            sizes.append(conv_output_size(sizes[-1], g.kernel_size, stride=g.stride, padding=g.padding,
                                          dilation=g.dilation))
        return sizes

    def selection(self) -> tuple[int, int]:
        """``(level, unit)`` drawn: out-of-range values fall back to the middle unit of the last layer."""
        lengths = self.lengths()
        level, unit = self.selected
        if not 0 <= level < len(lengths):
            level = len(lengths) - 1
        if not 0 <= unit < lengths[level]:
            unit = lengths[level] // 2
        return level, unit

    def field(self) -> ReceptiveField | None:
        """The receptive field of the selected level (None for the input itself)."""
        level, _ = self.selection()
        return receptive_field(self.geometry()[:level])[-1] if level else None

    def input_mask(self) -> np.ndarray:
        """Which input samples the selected unit depends on (:func:`convlearn.viz.arithmetic.receptive_field_units`)."""
        from ..arithmetic import receptive_field_units

        level, unit = self.selection()
        return receptive_field_units(self.geometry()[:level], self.input_length, unit)[0]
