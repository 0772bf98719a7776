"""Algebraic properties of discrete convolution, checked with hypothesis on convlearn.signal."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convlearn import signal

SETTINGS = settings(max_examples=50, deadline=None)
values = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)
methods = st.sampled_from(["direct", "fft"])


def vectors(max_len=24):
    return hnp.arrays(np.float64, st.integers(1, max_len), elements=values)


def images(max_side=9):
    shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=max_side)
    return hnp.arrays(np.float64, shapes, elements=values)


def bound(a, b):
    """An upper bound of |a * b| (sum |a| max |b|), as the scale of the round-off."""
    return np.array([np.abs(a).sum() * np.abs(b).max()])


def close(a, b, scale_from=()):
    scale = max([1.0] + [float(np.max(np.abs(s))) for s in scale_from])
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-9 * scale)


@SETTINGS
@given(x=vectors(), y=vectors(), k=vectors(), a=values, b=values, method=methods)
def test_linearity_1d(x, y, k, a, b, method):
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    lhs = signal.convolve1d(a * x + b * y, k, method=method)
    rhs = a * signal.convolve1d(x, k, method=method) + b * signal.convolve1d(y, k, method=method)
    close(lhs, rhs, [np.abs(a * x) + np.abs(b * y), k, np.abs(lhs)])


@SETTINGS
@given(image=images(), kernel=images(5), a=values, method=methods)
def test_linearity_2d(image, kernel, a, method):
    other = np.roll(image, 1) - 0.5
    lhs = signal.convolve2d(a * image + other, kernel, method=method)
    rhs = a * signal.convolve2d(image, kernel, method=method) + signal.convolve2d(other, kernel, method=method)
    close(lhs, rhs, [np.abs(rhs) + 1, np.abs(lhs)])


@SETTINGS
@given(x=vectors(), k=vectors(), shift=st.integers(0, 6), method=methods)
def test_shift_equivariance_1d(x, k, shift, method):
    # delaying the input by `shift` samples delays the full output by the same amount
    delayed = np.concatenate([np.zeros(shift), x])
    out = signal.convolve1d(delayed, k, method=method)
    close(out[shift:], signal.convolve1d(x, k, method=method), [out])
    close(out[:shift], np.zeros(shift), [out])


@SETTINGS
@given(image=images(), kernel=images(4), di=st.integers(0, 3), dj=st.integers(0, 3), method=methods)
def test_shift_equivariance_2d(image, kernel, di, dj, method):
    shifted = np.pad(image, ((di, 0), (dj, 0)))
    out = signal.convolve2d(shifted, kernel, method=method)
    ref = signal.convolve2d(image, kernel, method=method)
    close(out[di:, dj:], ref, [out])


@SETTINGS
@given(x=vectors(), k=vectors(), method=methods)
def test_commutativity_full(x, k, method):
    close(signal.convolve1d(x, k, method=method), signal.convolve1d(k, x, method=method), [bound(x, k)])


@SETTINGS
@given(a=images(6), b=images(6), method=methods)
def test_commutativity_full_2d(a, b, method):
    out = signal.convolve2d(a, b, method=method)
    close(out, signal.convolve2d(b, a, method=method), [bound(a, b)])


@SETTINGS
@given(x=vectors(12), y=vectors(12), z=vectors(12))
def test_associativity_full(x, y, z):
    lhs = signal.convolve1d(signal.convolve1d(x, y), z)
    rhs = signal.convolve1d(x, signal.convolve1d(y, z))
    scale = np.abs(x).sum() * np.abs(y).sum() * np.abs(z).sum()
    close(lhs, rhs, [np.array([scale])])


@SETTINGS
@given(x=vectors(), k=vectors())
def test_convolution_theorem(x, k):
    # the DFT of the full convolution is the product of the DFTs of the zero-padded inputs
    n = len(x) + len(k) - 1
    lhs = np.fft.fft(signal.convolve1d(x, k, method="direct"))
    rhs = np.fft.fft(x, n) * np.fft.fft(k, n)
    close(lhs, rhs, [np.array([np.abs(x).sum() * np.abs(k).sum()])])


@SETTINGS
@given(image=images(), kernel=images(5), mode=st.sampled_from(["full", "same", "valid"]), method=methods)
def test_correlation_is_convolution_with_flipped_kernel_2d(image, kernel, mode, method):
    fits = (all(p >= q for p, q in zip(image.shape, kernel.shape, strict=True))
            or all(q >= p for p, q in zip(image.shape, kernel.shape, strict=True)))
    assume(mode != "valid" or fits)  # 'valid' needs one array to fit inside the other
    flipped = kernel[::-1, ::-1]
    corr = signal.correlate2d(image, kernel, mode, method=method)
    conv_full = signal.convolve2d(image, flipped, "full", method=method)
    if mode == "full":
        close(corr, conv_full, [bound(image, kernel)])
    elif mode == "same":
        # SciPy's 'same' is the input-sized window of the full result starting at k // 2 for correlation and
        # at (k - 1) // 2 for convolution: the two agree for odd kernel sides and differ by one for even ones
        (i, j), (m, n) = (q // 2 for q in kernel.shape), image.shape
        close(corr, conv_full[i : i + m, j : j + n], [bound(image, kernel)])
        if all(q % 2 for q in kernel.shape):
            close(corr, signal.convolve2d(image, flipped, "same", method=method), [bound(image, kernel)])
    else:  # 'valid' crops the same window of the full result for both
        close(corr, signal.convolve2d(image, flipped, "valid", method=method), [bound(image, kernel)])


@SETTINGS
@given(x=vectors(), k=vectors())
def test_correlation_is_convolution_with_flipped_kernel_1d(x, k):
    close(signal.correlate1d(x, k, "full"), signal.convolve1d(x, k[::-1], "full"), [bound(x, k)])


@SETTINGS
@given(a=hnp.arrays(np.float64, hnp.array_shapes(min_dims=3, max_dims=3, max_side=5), elements=values))
def test_fftconvolve_with_a_unit_impulse_is_identity(a):
    delta = np.zeros((3, 3, 3))
    delta[1, 1, 1] = 1.0
    close(signal.fftconvolve(a, delta, "same"), a, [a])
