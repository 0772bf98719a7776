"""Frequency response of a centred 1-D kernel, computed with the FFT.

A kernel ``k`` of odd length ``K`` is read with centred indices ``m = -(K-1)/2 .. (K-1)/2``. Its frequency
response is ``H(omega) = sum_m k[m] exp(-i omega m)``: convolving ``exp(i omega n)`` with ``k`` multiplies it
by ``H(omega)``. For a symmetric kernel (``k[-m] = k[m]``) ``H`` is real, and the kernel maps
``cos(omega n)`` to ``H(omega) cos(omega n)``: a negative ``H`` reverses the sign of that sinusoid.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_positive_int, as_real_array, check_ndim

__all__ = ["frequency_response"]


def frequency_response(kernel, n_freq: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Frequency response of a centred kernel of odd length on ``n_freq + 1`` frequencies in ``[0, pi]``.

    Parameters
    ----------
    kernel : array_like, shape (K,)
        The kernel, ``K`` odd; ``kernel[c]`` with ``c = (K - 1) // 2`` is the centre tap ``k[0]``.
    n_freq : int
        The frequencies are ``omega = pi * j / n_freq``, ``j = 0, ..., n_freq``; ``2 * n_freq`` must be at
        least ``K`` (the transform length).

    Returns
    -------
    omega : numpy.ndarray, shape (n_freq + 1,)
        Frequencies in radians per sample.
    H : numpy.ndarray of complex, shape (n_freq + 1,)
        ``H(omega) = sum_m k[m] exp(-i omega m)``, computed as ``numpy.fft.rfft`` of the kernel zero-padded to
        length ``2 * n_freq`` and rolled so that its centre tap sits at index 0.
    """
    k = as_real_array(kernel, "kernel")
    check_ndim(k, "kernel", 1, "(K,)")
    if k.size % 2 == 0:
        raise ValueError(f"kernel must have an odd number of taps (it is centred), got shape {k.shape}")
    q = 2 * as_positive_int(n_freq, "n_freq")
    if q < k.size:
        raise ValueError(f"n_freq = {n_freq} is too small for a kernel of {k.size} taps: need 2 * n_freq >= {k.size}")
    padded = np.zeros(q)
    padded[: k.size] = k
    centred = np.roll(padded, -(k.size // 2))      # k[m] at index m mod q
    return np.pi * np.arange(q // 2 + 1) / (q // 2), np.fft.rfft(centred)
