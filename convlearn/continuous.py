"""The convolution integral ``(f * g)(t) = ∫ f(τ) g(t − τ) dτ``, numerically and analytically.

* :func:`convolve` -- the integral at every point of an array ``t`` by a fine
  composite quadrature rule over the support of ``f``, with the jumps of the
  integrand (found by :func:`find_jumps`) as breakpoints.
* :func:`riemann_convolve` -- the Riemann sum ``h Σ_k f(τ_k) g(t − τ_k)`` with
  step ``h``: the bridge from the integral to the discrete sum ``Σ_m x[m] k[n − m]``.
* :func:`riemann_error` -- the maximum error of that sum for a list of steps.
* Building blocks :func:`box`, :func:`triangle`, :func:`trapezoid`,
  :func:`gaussian`, :func:`exp_decay`, :func:`unit_step` and the registry
  :data:`ANALYTIC_PAIRS` of :class:`AnalyticPair` with closed-form convolutions.

Functions ``f`` and ``g`` are *vectorised* callables: given an array they return
an array of the same shape (``np.exp``, ``lambda t: np.where(t > 0, 1.0, 0.0)``, ...).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from scipy import special

from ._validation import as_positive_int, as_real_array, check_choice, result_dtype

__all__ = [
    "convolve",
    "find_jumps",
    "riemann_convolve",
    "riemann_error",
    "RiemannErrors",
    "box",
    "triangle",
    "trapezoid",
    "gaussian",
    "exp_decay",
    "unit_step",
    "AnalyticPair",
    "ANALYTIC_PAIRS",
]

_CHUNK = 1 << 21  # evaluate g on at most this many (t, τ) points at a time (16 MB of float64)


# --------------------------------------------------------------------------------------- argument checking


def _check_callable(fn, name: str) -> None:
    if not callable(fn):
        raise TypeError(f"{name} must be a vectorised callable (array -> array of the same shape), got {fn!r}")


def _check_support(support) -> tuple[float, float]:
    try:
        lo, hi = support
    except (TypeError, ValueError):
        raise ValueError(f"support must be a pair (lo, hi) outside which f is zero, got {support!r}") from None
    for name, v in (("support[0]", lo), ("support[1]", hi)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {v!r}")
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"support must be finite (truncate infinite tails where f is negligible), got {support!r}")
    if not lo < hi:
        raise ValueError(f"support must satisfy lo < hi, got {support!r}")
    return lo, hi


def _check_t(t) -> np.ndarray:
    t = as_real_array(t, "t", allow_empty=True)
    if not np.isfinite(t).all():
        raise ValueError(f"t must be finite, got an array of shape {t.shape} with inf/NaN entries")
    return t


def _as_result(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The contract's dtype rule: computed in float64, returned as float32 when ``t`` is float32."""
    return y.astype(result_dtype(t), copy=False)


def _evaluate(fn, x: np.ndarray, name: str) -> np.ndarray:
    """``fn(x)`` as a float64 array, checking that ``fn`` kept the shape of ``x``."""
    y = np.asarray(fn(x))
    if y.shape != x.shape:
        raise ValueError(
            f"{name} must be vectorised: called with an array of shape {x.shape} it returned shape {y.shape} "
            f"(use e.g. np.ones_like(t) rather than a constant, and np.where rather than if/else)"
        )
    if np.iscomplexobj(y) or not (np.issubdtype(y.dtype, np.number) or y.dtype == np.bool_):
        raise TypeError(f"{name} must return real numbers, got dtype {y.dtype}")
    return y.astype(np.float64, copy=False)


def _weighted_sum(f, g, t: np.ndarray, tau: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``Σ_k w_k f(τ_k) g(t − τ_k)`` for every entry of ``t``, chunked over ``t`` to bound memory."""
    fw = _evaluate(f, tau, "f") * w
    flat = t.reshape(-1)
    out = np.empty(flat.shape)
    rows = max(1, _CHUNK // len(tau))
    for start in range(0, flat.size, rows):
        tt = flat[start : start + rows, None] - tau[None, :]
        out[start : start + rows] = _evaluate(g, tt, "g") @ fw
    return out.reshape(t.shape)


# ------------------------------------------------------------------------------------------- integrals


def convolve(f, g, t, support, *, n=20_000, method="midpoint"):
    """The convolution integral ``(f * g)(t) = ∫ f(τ) g(t − τ) dτ`` at every point of ``t``.

    The integral runs over ``support = (lo, hi)``, outside which ``f`` is
    (taken to be) zero, split into ``n`` equal cells of width ``h = (hi − lo) / n``
    and summed by a composite rule. Jumps of the integrand are breakpoints: the
    jumps of ``f`` inside the support (at fixed ``τ``) and those of ``g(t − τ)``
    (at ``τ = t − c`` for every jump ``c`` of ``g``) are located once, to
    rounding precision (see :func:`find_jumps`), and the few cells that contain
    one are integrated piece by piece (4-point Gauss–Legendre on each side), so
    that a jump costs no accuracy.

    Parameters
    ----------
    f, g : callable
        Vectorised real functions: an array in, an array of the same shape out.
    t : float or array_like
        Where to evaluate the convolution; any shape.
    support : (lo, hi)
        Finite interval containing the support of ``f`` (truncate infinite tails where ``f`` is negligible).
    n : int, keyword-only
        Number of cells of the composite rule.
    method : {'midpoint', 'trapezoid', 'simpson'}, keyword-only
        Composite rule. With the default ``n`` the error is below 1e-6 for
        smooth pairs (Gaussians: ~1e-12) and below 1e-4 for piecewise-smooth
        ones (jumps and kinks, e.g. box * box or a one-sided exponential * a
        unit step), for every analytic pair of :data:`ANALYTIC_PAIRS`. Two jumps
        of ``g`` closer than ``1/16384`` of the range that ``g`` is sampled on
        may go undetected.

    Returns
    -------
    ndarray
        Same shape as ``t``; computed in ``float64`` and returned as ``float32`` when ``t`` is ``float32``
        (the package-wide dtype rule), ``float64`` otherwise.

    Raises
    ------
    TypeError
        If ``f``/``g`` are not callable or return non-real values, or ``t`` is not real.
    ValueError
        If ``support`` is not a finite pair ``lo < hi``, or ``f``/``g`` change the shape of their argument.

    Examples
    --------
    >>> t = np.array([-1.0, 0.0, 0.5])
    >>> np.round(convolve(box, box, t, support=(-0.5, 0.5)), 6)  # = triangle(t)
    array([0. , 1. , 0.5])
    """
    _check_callable(f, "f")
    _check_callable(g, "g")
    lo, hi = _check_support(support)
    t = _check_t(t)
    n = as_positive_int(n, "n")
    method = check_choice(method, "method", ("midpoint", "trapezoid", "simpson"))
    dtype_of = t
    t = t.astype(np.float64, copy=False)
    if method == "simpson" and n % 2:
        n += 1  # Simpson's rule needs an even number of cells
    offsets, fractions = _PANEL_RULES[method]
    panels = n // (2 if method == "simpson" else 1)
    width = (hi - lo) / panels
    # the composite rule: every panel [lo + p W, lo + (p + 1) W] gets W Σ_q ω_q F(lo + p W + φ_q W)
    starts = lo + width * np.arange(panels)
    tau = (starts[:, None] + width * offsets[None, :]).reshape(-1)
    w = np.broadcast_to(width * fractions, (panels, len(offsets))).reshape(-1)
    if method != "midpoint":  # merge the nodes that neighbouring panels share (their weights add)
        tau, inverse = np.unique(tau, return_inverse=True)
        w = np.bincount(inverse, weights=w)
    y = _weighted_sum(f, g, t, tau, w)
    if t.size:
        f_jumps = find_jumps(f, lo, hi, "f")
        g_jumps = find_jumps(g, float(t.min()) - hi, float(t.max()) - lo, "g")
        cuts = np.concatenate([np.broadcast_to(f_jumps, t.shape + f_jumps.shape),
                               t[..., None] - g_jumps], axis=-1).reshape(t.size, -1)
        if cuts.shape[1]:
            y = y + _jump_corrections(f, g, t.reshape(-1), cuts, lo, hi, width, offsets, fractions).reshape(t.shape)
    return _as_result(y, dtype_of)


# Composite rules panel by panel: node offsets φ_q and weights ω_q as fractions of the panel width.
_PANEL_RULES = {
    "midpoint": (np.array([0.5]), np.array([1.0])),
    "trapezoid": (np.array([0.0, 1.0]), np.array([0.5, 0.5])),
    "simpson": (np.array([0.0, 0.5, 1.0]), np.array([1.0, 4.0, 1.0]) / 6.0),
}
# 4-point Gauss-Legendre on [-1, 1]: exact for polynomials of degree 7
_GAUSS_X, _GAUSS_W = np.polynomial.legendre.leggauss(4)

_ON_BOUNDARY = 1e-6  # a cut this close to a panel boundary (in panel widths) belongs to both panels
_SCAN_CELLS = 1 << 14  # find_jumps samples its function on this many cells
_SCAN_OFFSET = 0.3819660112501051  # (3 - √5)/2 of a cell: keeps round numbers (0, ±1/2, ...) off the scan grid
_SCAN_RATIO = 4.0  # a jump's step exceeds 4 times the sum of the steps two cells to either side
_SCAN_FLOOR = 1e-10  # ... and 1e-10 of the largest |value| (smaller jumps cost less than that)


def find_jumps(fn, a, b, name="fn"):
    """The points of ``[a, b]`` where the vectorised function ``fn`` jumps, located to rounding precision.

    ``fn`` is sampled on 16384 equal cells covering ``[a, b]`` (and two cells beyond each end). A
    cell is a candidate when the change of ``fn`` across it is more than four times the changes two cells
    before and two cells after together (for a smooth function it is about their mean) and more than
    ``1e-10`` of the largest value; each candidate is then bisected, keeping the half across which ``fn``
    changes more. A steep but continuous feature may come out as a point too, which does no harm to
    :func:`convolve`: a breakpoint at a smooth point only splits a cell.

    Parameters
    ----------
    fn : callable
        Vectorised real function.
    a, b : float
        The interval, ``a <= b``.
    name : str
        Quoted in error messages.

    Returns
    -------
    (J,) ndarray
        The jump points, sorted.
    """
    if not b > a:
        return np.empty(0)
    cell = (b - a) / _SCAN_CELLS
    x = a + cell * (np.arange(-2, _SCAN_CELLS + 3) + _SCAN_OFFSET)
    v = _evaluate(fn, x, name)
    if not np.isfinite(v).all():
        return np.empty(0)
    step = np.abs(np.diff(v))
    around = np.zeros_like(step)
    around[2:-2] = step[:-4] + step[4:]
    floor = _SCAN_FLOOR * max(float(np.max(np.abs(v))), np.finfo(float).tiny)
    cand = np.flatnonzero((step > _SCAN_RATIO * around) & (step > floor))
    cand = cand[(cand >= 2) & (cand < len(step) - 2)]
    if cand.size == 0:
        return np.empty(0)
    left, right = x[cand], x[cand + 1]
    v_left, v_right = v[cand], v[cand + 1]
    for _ in range(60):
        mid = 0.5 * (left + right)
        v_mid = _evaluate(fn, mid, name)
        go_left = np.abs(v_mid - v_left) >= np.abs(v_right - v_mid)
        right, v_right = np.where(go_left, mid, right), np.where(go_left, v_mid, v_right)
        left, v_left = np.where(go_left, left, mid), np.where(go_left, v_left, v_mid)
    return np.unique(0.5 * (left + right))


def _jump_corrections(f, g, t, cuts, lo, hi, width, offsets, fractions):
    """Per point of ``t``: (piecewise Gauss-Legendre − composite rule) over the panels holding a cut.

    ``cuts : (T, J)`` are the breakpoints in ``τ`` for every ``t``; those outside ``[lo, hi]`` are ignored.
    A cut on (or within rounding of) a panel boundary belongs to both panels, since the trapezoid and
    Simpson rules evaluate the integrand there. A panel holding several cuts is corrected once, split at
    all of them.
    """
    out = np.zeros(t.shape)
    n_panels = round((hi - lo) / width)
    position = (cuts - lo) / width
    cuts = np.concatenate([cuts, cuts], axis=1)
    panel = np.concatenate([np.floor(position - _ON_BOUNDARY), np.floor(position + _ON_BOUNDARY)], axis=1)
    panel[(panel < 0) | (panel >= n_panels) | ~np.isfinite(panel)] = -1
    for j in range(cuts.shape[1]):
        first = (panel[:, j] >= 0) & ~np.any(panel[:, :j] == panel[:, j : j + 1], axis=1)
        rows = np.flatnonzero(first)
        if rows.size == 0:
            continue
        a = lo + width * panel[rows, j]
        b = a + width
        tt = t[rows]
        members = panel[rows] == panel[rows, j : j + 1]
        inner = np.clip(np.where(members, cuts[rows], a[:, None]), a[:, None], b[:, None])
        pieces = np.sort(np.concatenate([a[:, None], inner, b[:, None]], axis=1), axis=1)
        half = 0.5 * np.diff(pieces, axis=1)  # (R, 2J + 1)
        nodes = (pieces[:, :-1] + half)[..., None] + half[..., None] * _GAUSS_X  # (R, 2J + 1, 4)
        weights = half[..., None] * _GAUSS_W
        exact = np.sum(weights * _evaluate(f, nodes, "f") * _evaluate(g, tt[:, None, None] - nodes, "g"),
                       axis=(1, 2))
        rule_nodes = a[:, None] + width * offsets
        rule = width * np.sum(fractions * _evaluate(f, rule_nodes, "f")
                              * _evaluate(g, tt[:, None] - rule_nodes, "g"), axis=1)
        out[rows] += exact - rule
    return out


def riemann_convolve(f, g, t, support, *, step, rule="midpoint"):
    """The Riemann sum ``h Σ_k f(τ_k) g(t − τ_k)`` approximating ``(f * g)(t)``.

    The support ``[lo, hi]`` is cut into cells ``[lo + k h, lo + (k + 1) h]``,
    ``k = 0, ..., K − 1`` with ``K = ⌈(hi − lo) / h⌉`` (the last cell may stick
    out past ``hi``, where ``f`` is zero), and ``τ_k`` is the cell's left end,
    midpoint or right end.  With ``x[m] = f(τ_m)`` and samples of ``g`` this is
    ``h`` times the discrete convolution ``Σ_m x[m] k[n − m]``.

    Error as ``h → 0``: ``O(h)`` for the left and right rules, ``O(h²)`` for
    the midpoint rule when ``f g`` is smooth, and ``O(h)`` for every rule when
    ``g`` jumps (see :func:`riemann_error`).

    Parameters
    ----------
    f, g : callable
        Vectorised real functions.
    t : float or array_like
        Evaluation points, any shape.
    support : (lo, hi)
        Finite interval outside which ``f`` is zero.
    step : float, keyword-only
        The step ``h > 0``.
    rule : {'midpoint', 'left', 'right'}, keyword-only

    Returns
    -------
    ndarray
        Same shape as ``t``; ``float32`` when ``t`` is ``float32``, else ``float64``.
    """
    _check_callable(f, "f")
    _check_callable(g, "g")
    lo, hi = _check_support(support)
    t = _check_t(t)
    if isinstance(step, bool) or not isinstance(step, numbers.Real) or not math.isfinite(step) or step <= 0:
        raise ValueError(f"step must be a finite number > 0, got {step!r}")
    rule = check_choice(rule, "rule", ("midpoint", "left", "right"))
    h = float(step)
    cells = max(1, math.ceil((hi - lo) / h - 1e-9))
    offset = {"left": 0.0, "midpoint": 0.5, "right": 1.0}[rule]
    tau = lo + h * (np.arange(cells) + offset)
    return _as_result(_weighted_sum(f, g, t.astype(np.float64, copy=False), tau, np.full(cells, h)), t)


@dataclass(frozen=True)
class RiemannErrors:
    """Maximum error of the Riemann sum for each step (the book's error-vs-``h`` table).

    Attributes
    ----------
    steps : (S,) ndarray
        The steps ``h``.
    errors : (S,) ndarray
        ``max_t |riemann_convolve(..., step=h) − exact(t)|``.
    rule : str
        ``'midpoint'``, ``'left'`` or ``'right'``.
    """

    steps: np.ndarray
    errors: np.ndarray
    rule: str

    @property
    def orders(self) -> np.ndarray:
        """Observed orders ``p`` between consecutive steps (error ≈ C h^p): ``log(e_i/e_{i+1}) / log(h_i/h_{i+1})``."""
        return np.log(self.errors[:-1] / self.errors[1:]) / np.log(self.steps[:-1] / self.steps[1:])


def riemann_error(pair, steps, t, *, rule="midpoint"):
    """How the Riemann-sum error shrinks with the step, for an analytic pair.

    Parameters
    ----------
    pair : AnalyticPair or str
        A pair or the name of one in :data:`ANALYTIC_PAIRS`.
    steps : (S,) array_like
        Steps ``h > 0`` to try.
    t : array_like
        Points where the error is measured (its maximum over ``t`` is reported).
    rule : {'midpoint', 'left', 'right'}, keyword-only

    Returns
    -------
    RiemannErrors
        ``steps``, ``errors`` and the observed ``orders``; halving ``h`` divides
        the midpoint error by about 4 for a smooth pair (order 2).
    """
    if isinstance(pair, str):
        if pair not in ANALYTIC_PAIRS:
            names = ", ".join(map(repr, ANALYTIC_PAIRS))
            raise ValueError(f"pair must be an AnalyticPair or one of {names}; got {pair!r}")
        pair = ANALYTIC_PAIRS[pair]
    if not isinstance(pair, AnalyticPair):
        raise TypeError(f"pair must be an AnalyticPair or its name, got {type(pair).__name__}")
    steps = as_real_array(steps, "steps").astype(np.float64).reshape(-1)
    t = _check_t(t).astype(np.float64, copy=False)
    exact = pair.exact(t)
    errors = np.array(
        [np.max(np.abs(riemann_convolve(pair.f, pair.g, t, pair.support, step=h, rule=rule) - exact)) for h in steps]
    )
    return RiemannErrors(steps=steps, errors=errors, rule=rule)


# ------------------------------------------------------------------------------------- building blocks


def box(t, width=1.0):
    """The box (rectangular pulse) of height 1 on ``|t| < width/2``, ``1/2`` at the two edges, 0 outside."""
    a = np.abs(np.asarray(t, dtype=np.float64))
    half = width / 2
    return (a < half) + 0.5 * (a == half)


def triangle(t, width=1.0):
    """The triangle ``max(1 − |t|/width, 0)`` of height 1 and half-width ``width``; ``box * box = triangle``."""
    return np.maximum(1.0 - np.abs(np.asarray(t, dtype=np.float64)) / width, 0.0)


def trapezoid(t, a=1.0, b=1.0):
    """``box(·, a) * box(·, b)``: the length of ``[−a/2, a/2] ∩ [t − b/2, t + b/2]``.

    A trapezoid with plateau ``min(a, b)`` on ``|t| ≤ |a − b|/2``, falling
    linearly to 0 at ``|t| = (a + b)/2``; a triangle when ``a = b``.
    """
    t = np.asarray(t, dtype=np.float64)
    return np.maximum(0.0, np.minimum(a / 2, t + b / 2) - np.maximum(-a / 2, t - b / 2))


def gaussian(t, sigma=1.0, mu=0.0):
    """The normal density ``exp(−(t − μ)²/(2σ²)) / (σ√(2π))`` (area 1).

    ``gaussian(·, σ₁, μ₁) * gaussian(·, σ₂, μ₂) = gaussian(·, √(σ₁² + σ₂²), μ₁ + μ₂)``: variances add.
    """
    z = (np.asarray(t, dtype=np.float64) - mu) / sigma
    return np.exp(-0.5 * z * z) / (sigma * math.sqrt(2 * math.pi))


def unit_step(t):
    """The Heaviside step ``u(t)``: 0 for ``t < 0``, 1 for ``t > 0`` and ``1/2`` at ``t = 0``."""
    return np.heaviside(np.asarray(t, dtype=np.float64), 0.5)


def exp_decay(t, tau=1.0):
    """The one-sided exponential: ``e^{−t/τ}`` for ``t ≥ 0``, 0 before (RC-circuit impulse response, τ = RC)."""
    t = np.asarray(t, dtype=np.float64)
    return np.where(t >= 0, np.exp(-np.maximum(t, 0.0) / tau), 0.0)


def _exp_step_exact(t, tau):
    t = np.asarray(t, dtype=np.float64)
    return np.where(t > 0, tau * (1.0 - np.exp(-np.maximum(t, 0.0) / tau)), 0.0)


def _exp_box_exact(t, tau, width):
    t = np.asarray(t, dtype=np.float64)
    upper = t + width / 2  # ∫ over s in [max(0, t − w/2), t + w/2] of e^{−s/τ} ds
    lower = np.maximum(0.0, t - width / 2)
    val = tau * (np.exp(-lower / tau) - np.exp(-np.maximum(upper, 0.0) / tau))
    return np.where(upper > 0, val, 0.0)


def _exp_gaussian_exact(t, tau, sigma):
    # ∫_0^∞ e^{−s/τ} N(t − s; 0, σ²) ds = exp(σ²/(2τ²) − t/τ) Φ((t − σ²/τ)/σ), the exponentially modified
    # Gaussian (times τ); evaluated through log Φ so that neither factor overflows.
    t = np.asarray(t, dtype=np.float64)
    z = (t - sigma**2 / tau) / sigma
    return np.exp(sigma**2 / (2 * tau**2) - t / tau + special.log_ndtr(z))


@dataclass(frozen=True)
class AnalyticPair:
    """Two functions whose convolution is known in closed form.

    Attributes
    ----------
    name : str
        E.g. ``"box*box"``.
    f, g : callable
        Vectorised functions; ``f`` vanishes outside ``support``.
    exact : callable
        ``t ↦ (f * g)(t)``.
    support : (float, float)
        ``(lo, hi)`` outside which ``f`` is zero (or negligible: below 1e-13).
    description : str
        One line for tables and captions.
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    g: Callable[[np.ndarray], np.ndarray]
    exact: Callable[[np.ndarray], np.ndarray]
    support: tuple[float, float]
    description: str = field(default="", compare=False)


def _pairs() -> dict[str, AnalyticPair]:
    s1, s2 = 1.0, 0.5
    pairs = [
        AnalyticPair("box*box", box, box, triangle, (-0.5, 0.5), "unit box * unit box = triangle of half-width 1"),
        AnalyticPair(
            "box*box(2)",
            box,
            partial(box, width=2.0),
            partial(trapezoid, a=1.0, b=2.0),
            (-0.5, 0.5),
            "box of width 1 * box of width 2 = trapezoid",
        ),
        AnalyticPair(
            "gaussian*gaussian",
            partial(gaussian, sigma=s1),
            partial(gaussian, sigma=s2),
            partial(gaussian, sigma=math.hypot(s1, s2)),
            (-12 * s1, 12 * s1),
            "N(0, 1) * N(0, 0.25) = N(0, 1.25): variances add",
        ),
        AnalyticPair(
            "exp*step",
            exp_decay,
            unit_step,
            partial(_exp_step_exact, tau=1.0),
            (0.0, 30.0),
            "e^{-t} u(t) * u(t) = (1 - e^{-t}) u(t): an RC circuit's step response",
        ),
        AnalyticPair(
            "exp*gaussian",
            exp_decay,
            partial(gaussian, sigma=s2),
            partial(_exp_gaussian_exact, tau=1.0, sigma=s2),
            (0.0, 30.0),
            "e^{-t} u(t) * N(0, 0.25): a noisy pulse through an RC circuit (smooth on the support)",
        ),
        AnalyticPair(
            "exp*box",
            exp_decay,
            box,
            partial(_exp_box_exact, tau=1.0, width=1.0),
            (0.0, 30.0),
            "e^{-t} u(t) * unit box: an RC circuit driven by a pulse",
        ),
    ]
    return {p.name: p for p in pairs}


#: The analytic pairs, keyed by name (``"box*box"``, ``"box*box(2)"``, ``"gaussian*gaussian"``,
#: ``"exp*step"``, ``"exp*gaussian"`` and ``"exp*box"``).
ANALYTIC_PAIRS: dict[str, AnalyticPair] = _pairs()
