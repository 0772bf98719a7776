"""Tests of convlearn.signal.frequency against closed forms and against filtering a sinusoid."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from convlearn.signal.frequency import frequency_response
from convlearn.viz import plots


def test_box_response_is_the_dirichlet_kernel():
    """A box of K taps has H(omega) = sin(K omega / 2) / (K sin(omega / 2)), zero at omega = 2 pi j / K."""
    K = 9
    omega, h = frequency_response(np.ones(K) / K, n_freq=300)
    assert omega[0] == 0 and np.isclose(omega[-1], np.pi) and omega.size == 301
    w = omega[1:]
    np.testing.assert_allclose(h[1:], np.sin(K * w / 2) / (K * np.sin(w / 2)), atol=1e-12)
    assert np.isclose(h[0], 1.0)


def test_response_is_the_direct_sum_for_any_odd_kernel(rng):
    k = rng.standard_normal(7)
    omega, h = frequency_response(k, n_freq=64)
    m = np.arange(-3, 4)
    direct = np.array([np.sum(k * np.exp(-1j * w * m)) for w in omega])
    np.testing.assert_allclose(h, direct, atol=1e-12)


def test_symmetric_kernel_scales_a_cosine_by_its_response():
    """Filtering cos(omega n) with a symmetric kernel gives H(omega) cos(omega n) away from the ends."""
    k = np.exp(-0.5 * (np.arange(-6, 7) / 2.0) ** 2)
    k /= k.sum()
    omega, h = frequency_response(k, n_freq=128)
    assert np.max(np.abs(h.imag)) < 1e-14
    n = np.arange(200)
    for j in (5, 40, 100):
        x = np.cos(omega[j] * n)
        y = np.convolve(x, k, mode="same")
        np.testing.assert_allclose(y[10:-10], h[j].real * x[10:-10], atol=1e-12)


def test_frequency_response_rejects_bad_input():
    with pytest.raises(ValueError, match="odd"):
        frequency_response(np.ones(4))
    with pytest.raises(ValueError, match="too small"):
        frequency_response(np.ones(9), n_freq=2)


def test_plot_frequency_responses_draws_the_real_responses():
    box = frequency_response(np.ones(9) / 9)
    fig, ax = plt.subplots()
    plots.plot_frequency_responses(ax, {"box": box}, title="t")
    line = next(line for line in ax.get_lines() if line.get_label() == "box")
    np.testing.assert_array_equal(line.get_xdata(), box[0])
    np.testing.assert_allclose(line.get_ydata(), box[1].real)
    assert ax.get_xlabel() and ax.get_ylabel() == "H(ω)" and ax.get_title() == "t"
    with pytest.raises(ValueError, match="'odd'"):
        plots.plot_frequency_responses(ax, {"odd": frequency_response(np.array([1.0, 0.0, -1.0]))})
    with pytest.raises(ValueError, match="empty"):
        plots.plot_frequency_responses(ax, {})
    plt.close(fig)
