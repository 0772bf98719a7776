"""convlearn.continuous: the convolution integral against closed forms, and the Riemann sum's error."""

from __future__ import annotations

import numpy as np
import pytest

from convlearn import continuous as C

SMOOTH = ("gaussian*gaussian", "exp*gaussian")
JUMPS = ("box*box", "box*box(2)", "exp*step", "exp*box")


@pytest.fixture
def t(rng):
    # random points (not on any grid) plus the corners of the closed forms
    return np.sort(np.concatenate([rng.uniform(-3, 6, 200), [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5]]))


@pytest.mark.parametrize("method", ["midpoint", "trapezoid", "simpson"])
@pytest.mark.parametrize("name", SMOOTH + JUMPS)
def test_analytic_pairs_to_1e_6_smooth_and_1e_4_piecewise(name, method, t):
    pair = C.ANALYTIC_PAIRS[name]
    err = np.max(np.abs(C.convolve(pair.f, pair.g, t, pair.support, method=method) - pair.exact(t)))
    assert err < (1e-6 if name in SMOOTH else 1e-4), (method, err)


@pytest.mark.parametrize("tau", [0.5, 2.0])
def test_exponential_times_step_on_a_long_support_to_1e_4(tau):
    # e^{-at} u(t) * u(t) = (1 - e^{-at}) / a, here with a = 1/tau and the support (0, 80): the jump of
    # the step sits inside the integration range for every t > 0 (an error of 1.8e-3 before it was a breakpoint)
    t = np.linspace(-5.0, 60.0, 301)
    got = C.convolve(lambda s: C.exp_decay(s, tau), C.unit_step, t, (0.0, 80.0))
    exact = np.where(t > 0, tau * (1 - np.exp(-np.maximum(t, 0.0) / tau)), 0.0)
    assert np.max(np.abs(got - exact)) < 1e-4


def test_jumps_of_f_inside_the_support_are_breakpoints():
    # f = 1 on [0, 0.3), support given as (-1, 1); g = 1: (f * g)(t) = 0.3 for every t, even with few cells
    def f(s):
        return np.where((s >= 0) & (s < 0.3), 1.0, 0.0)

    for n in (7, 600, 20_000):
        np.testing.assert_allclose(C.convolve(f, np.ones_like, [0.0, 2.5], (-1.0, 1.0), n=n), 0.3, atol=1e-12)


def test_find_jumps_locates_jumps_and_ignores_smooth_functions():
    np.testing.assert_allclose(C.find_jumps(C.box, -3, 3), [-0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(C.find_jumps(lambda s: C.box(s, 2.0) + 3 * C.unit_step(s - 0.1), -4, 5),
                               [-1.0, 0.1, 1.0], atol=1e-12)
    np.testing.assert_allclose(C.find_jumps(C.unit_step, -5, 5), [0.0], atol=1e-12)
    for smooth in (C.gaussian, C.triangle, np.sin, C.ANALYTIC_PAIRS["exp*gaussian"].exact):
        assert C.find_jumps(smooth, -6, 6).size == 0


def test_registry_pairs_are_named_dataclasses():
    assert {"box*box", "gaussian*gaussian", "exp*step"} <= set(C.ANALYTIC_PAIRS)
    for name, pair in C.ANALYTIC_PAIRS.items():
        assert isinstance(pair, C.AnalyticPair) and pair.name == name
        lo, hi = pair.support
        assert lo < hi


def test_closed_forms():
    t = np.linspace(-3, 3, 61)
    np.testing.assert_allclose(C.trapezoid(t, 1.0, 1.0), C.triangle(t), atol=1e-15)
    np.testing.assert_allclose(C.trapezoid(t, 2.0, 0.5), C.trapezoid(t, 0.5, 2.0), atol=1e-15)
    assert C.trapezoid(0.0, 2.0, 0.5) == 0.5  # plateau min(a, b)
    assert C.box(np.array([-0.5, 0.0, 0.5, 0.7])).tolist() == [0.5, 1.0, 0.5, 0.0]
    assert C.unit_step(np.array([-1.0, 0.0, 2.0])).tolist() == [0.0, 0.5, 1.0]
    assert C.exp_decay(np.array([-1.0, 0.0]), tau=2.0).tolist() == [0.0, 1.0]
    # each Gaussian is a density: area 1, and the variances of a convolution add
    x = np.linspace(-30, 30, 60001)
    assert np.trapezoid(C.gaussian(x, 2.0, 1.0), x) == pytest.approx(1.0, abs=1e-12)
    s = np.hypot(1.0, 0.5)
    np.testing.assert_allclose(C.ANALYTIC_PAIRS["gaussian*gaussian"].exact(t), C.gaussian(t, s), rtol=1e-15)


def test_rc_circuit_step_response():
    # τ(1 − e^{−t/τ}) for an exponential of time constant τ = 2, by quadrature
    tau = 2.0
    t = np.array([0.5, 1.0, 2.0, 10.0])
    got = C.convolve(lambda s: C.exp_decay(s, tau), C.unit_step, t, (0.0, 60.0), n=60_000)
    np.testing.assert_allclose(got, tau * (1 - np.exp(-t / tau)), atol=1e-3)


def test_result_has_the_shape_of_t():
    pair = C.ANALYTIC_PAIRS["gaussian*gaussian"]
    assert C.convolve(pair.f, pair.g, 0.3, pair.support).shape == ()
    assert C.convolve(pair.f, pair.g, np.zeros((2, 3)), pair.support).shape == (2, 3)
    assert C.riemann_convolve(pair.f, pair.g, [[0.0]], pair.support, step=0.1).shape == (1, 1)
    assert C.convolve(pair.f, pair.g, [], pair.support).shape == (0,)


def test_riemann_midpoint_error_shrinks_fourfold_per_halving_on_smooth_pair(t):
    study = C.riemann_error("exp*gaussian", [0.2, 0.1, 0.05, 0.025], t)
    ratios = study.errors[:-1] / study.errors[1:]
    np.testing.assert_allclose(ratios, 4.0, rtol=0.05)
    np.testing.assert_allclose(study.orders, 2.0, atol=0.05)


def test_riemann_left_rule_is_first_order(t):
    study = C.riemann_error(C.ANALYTIC_PAIRS["exp*gaussian"], [0.1, 0.05, 0.025], t, rule="left")
    np.testing.assert_allclose(study.orders, 1.0, atol=0.05)
    right = C.riemann_error("exp*gaussian", [0.1, 0.05, 0.025], t, rule="right")
    np.testing.assert_allclose(right.orders, 1.0, atol=0.05)


def test_riemann_error_at_jumps_is_first_order(rng):
    t = rng.uniform(-1.2, 1.2, 400)
    steps = np.array([0.08, 0.04, 0.02, 0.01])
    study = C.riemann_error("box*box", steps, t)
    assert np.all(np.diff(study.errors) < 0)  # shrinks with h ...
    assert np.all(study.errors <= steps)  # ... at most h: two jumps, each costing at most h/2
    assert np.all(study.errors >= steps / 4)  # ... and no faster than O(h)


def test_riemann_sum_is_h_times_discrete_convolution():
    # τ_k = lo + k h: the Riemann sum at t = lo + n h is h Σ_k f(τ_k) g((n − k) h)
    h, lo = 0.25, 0.0
    pair = C.ANALYTIC_PAIRS["exp*box"]
    x = C.exp_decay(lo + h * np.arange(120))
    n = np.arange(4, 20)
    tt = lo + h * n
    got = C.riemann_convolve(pair.f, pair.g, tt, (lo, lo + 120 * h), step=h, rule="left")
    expected = [h * sum(x[m] * C.box(h * (nn - m)) for m in range(120)) for nn in n]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_bad_support():
    f = C.gaussian
    with pytest.raises(ValueError, match="support must satisfy lo < hi"):
        C.convolve(f, f, 0.0, (1.0, -1.0))
    with pytest.raises(ValueError, match="support must be finite"):
        C.convolve(f, f, 0.0, (-np.inf, 1.0))
    with pytest.raises(ValueError, match="support must be a pair"):
        C.convolve(f, f, 0.0, 3.0)
    with pytest.raises(TypeError, match=r"support\[0\] must be a real number"):
        C.convolve(f, f, 0.0, ("a", 1.0))


def test_bad_callables():
    with pytest.raises(TypeError, match="f must be a vectorised callable"):
        C.convolve(np.ones(3), C.gaussian, 0.0, (-1, 1))
    with pytest.raises(TypeError, match="g must be a vectorised callable"):
        C.riemann_convolve(C.gaussian, 2.0, 0.0, (-1, 1), step=0.1)


def test_callable_returning_wrong_shape():
    with pytest.raises(ValueError, match="g must be vectorised.*returned shape"):
        C.convolve(C.gaussian, lambda s: 1.0, np.zeros(3), (-1, 1))
    with pytest.raises(ValueError, match="f must be vectorised"):
        C.convolve(lambda s: s[:2], C.gaussian, np.zeros(3), (-1, 1))
    with pytest.raises(TypeError, match="f must return real numbers"):
        C.convolve(lambda s: s * 1j, C.gaussian, np.zeros(3), (-1, 1))


def test_bad_t():
    with pytest.raises(TypeError, match="t must be real"):
        C.convolve(C.gaussian, C.gaussian, np.array([1j]), (-1, 1))
    with pytest.raises(TypeError, match="t must be a real numeric array"):
        C.convolve(C.gaussian, C.gaussian, "now", (-1, 1))
    with pytest.raises(ValueError, match="t must be finite"):
        C.convolve(C.gaussian, C.gaussian, [np.nan], (-1, 1))


def test_bad_options():
    with pytest.raises(ValueError, match="step must be a finite number > 0"):
        C.riemann_convolve(C.gaussian, C.gaussian, 0.0, (-1, 1), step=0.0)
    with pytest.raises(ValueError, match="step must be a finite number > 0"):
        C.riemann_convolve(C.gaussian, C.gaussian, 0.0, (-1, 1), step=float("nan"))
    with pytest.raises(ValueError, match="rule must be one of"):
        C.riemann_convolve(C.gaussian, C.gaussian, 0.0, (-1, 1), step=0.1, rule="trapezoid")
    with pytest.raises(ValueError, match="method must be one of"):
        C.convolve(C.gaussian, C.gaussian, 0.0, (-1, 1), method="gauss")
    with pytest.raises(ValueError, match="n must be >= 1"):
        C.convolve(C.gaussian, C.gaussian, 0.0, (-1, 1), n=0)
    with pytest.raises(ValueError, match="pair must be an AnalyticPair or one of"):
        C.riemann_error("sinc*sinc", [0.1], [0.0])
