"""Fast engines behind :mod:`convlearn.signal`: direct (shifted multiply-adds) and FFT.

Every function here takes already validated ``float32``/``float64`` arrays and
returns ``float64`` arrays; the public functions in
:mod:`convlearn.signal.convolution` do the checking, cropping and dtype rules.

Two ways of computing a convolution
-----------------------------------
*direct*
    ``out = sum over taps of (tap value) * (shifted copy of the other array)``:
    one vectorised multiply-add per kernel entry, so the cost is
    ``(number of taps) x (output size)`` -- cheap for small kernels.  In 1-D
    NumPy's compiled ``numpy.convolve`` is the direct method.
*FFT*
    the convolution theorem: zero-pad both arrays to a common "fast" length
    (``scipy.fft.next_fast_len``), multiply the real FFTs, transform back.
    Cost ``~ L log L`` for padded size ``L`` whatever the kernel size.  For a
    long 1-D signal and a shorter kernel the signal is cut into blocks that
    are convolved separately and added back together (overlap-add).

:func:`choose_method` compares rough operation-count estimates of the two
(constants measured on one core) and picks the cheaper one.  SciPy's FFT
module is imported by the first function that transforms or sizes a
transform (:func:`fast_shape`), not with this module: it costs about 0.3 s
of CPU, which code that only convolves small arrays directly (a learner's
kernel, most chapters) never needs to pay.  Arrays holding
``inf`` or ``NaN`` always go the direct way, so that a non-finite value only
spoils the outputs it really touches, as in NumPy/SciPy.
"""

from __future__ import annotations

import functools
import math

import numpy as np

# Rough costs in seconds, measured on one core (only their ratios matter).
_DIRECT_1D_PER_MAC = 0.25e-9  # numpy.convolve: SIMD dot products
_DIRECT_ND_PER_MAC = 1.0e-9  # one multiply-add pass of NumPy per tap and output element
_DIRECT_ND_PER_TAP = 3.0e-6  # Python overhead per tap of the shifted multiply-add loop
_FFT_PER_POINT_LOG = 1.2e-9  # real FFT: seconds per (point x log2 points), incl. padding and copies
_FFT_CALL = 20e-6  # fixed overhead of one FFT round-trip


def all_finite(*arrays: np.ndarray) -> bool:
    """Whether every entry of every array is finite."""
    return all(bool(np.isfinite(a).all()) for a in arrays)


def fast_shape(shape) -> tuple[int, ...]:
    """Per-axis FFT lengths >= ``shape`` with only small prime factors (last axis for a real FFT)."""
    import scipy.fft as sfft

    shape = tuple(int(s) for s in shape)
    return tuple(sfft.next_fast_len(s, real=(i == len(shape) - 1)) for i, s in enumerate(shape))


def _fft_cost(shape, transforms: int = 3) -> float:
    n = math.prod(shape)
    return transforms * _FFT_PER_POINT_LOG * n * max(math.log2(n), 1.0) + _FFT_CALL


# ----------------------------------------------------------------------------------------------------- 1-D


@functools.lru_cache(maxsize=256)
def _oa_block(m: int, n: int) -> tuple[int, float]:
    """Best overlap-add FFT block length for a signal of length ``m`` and a kernel of length ``n <= m``."""
    best_b, best_cost = 0, math.inf
    b = 1 << max(int(math.ceil(math.log2(2 * n))), 6)
    while True:
        step = b - n + 1
        blocks = -(-m // step)
        cost = blocks * 2 * _FFT_PER_POINT_LOG * b * math.log2(b) + _FFT_CALL + 2e-6 * blocks
        if cost < best_cost:
            best_b, best_cost = b, cost
        if step >= m:
            break
        b *= 2
    return best_b, best_cost


def choose_method_1d(m: int, n: int) -> str:
    """``'direct'`` or ``'fft'`` for convolving lengths ``m`` and ``n``, by estimated cost."""
    direct = _DIRECT_1D_PER_MAC * m * n
    long, short = max(m, n), min(m, n)
    if direct <= 2 * _FFT_PER_POINT_LOG * long * math.log2(2 * short):  # below any FFT's cost: skip the search
        return "direct"
    fft = min(_fft_cost(fast_shape((m + n - 1,))), _oa_block(long, short)[1])
    return "fft" if fft < direct else "direct"


def conv1d_fft_full(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Full linear convolution of two 1-D arrays by FFT (single transform or overlap-add)."""
    import scipy.fft as sfft

    if len(x) < len(k):
        x, k = k, x
    m, n = len(x), len(k)
    single = _fft_cost(fast_shape((m + n - 1,)))
    b, oa = _oa_block(m, n)
    if single <= oa or b >= m + n - 1:
        size = fast_shape((m + n - 1,))[0]
        return sfft.irfft(sfft.rfft(x, size) * sfft.rfft(k, size), size)[: m + n - 1]
    # Overlap-add: cut x into blocks of `step` samples; each block's full convolution (step + n - 1
    # samples, computed exactly by an FFT of length b) overlaps the next block's by n - 1 samples.
    step = b - n + 1
    blocks = -(-m // step)
    xp = np.zeros(blocks * step)
    xp[:m] = x
    y = sfft.irfft(sfft.rfft(xp.reshape(blocks, step), b, axis=1) * sfft.rfft(k, b), b, axis=1)
    out = np.zeros((blocks + 1) * step)
    out[: blocks * step] = y[:, :step].reshape(-1)
    out[step:].reshape(blocks, step)[:, : n - 1] += y[:, step:]
    return out[: m + n - 1]


# ----------------------------------------------------------------------------------------------------- N-D


def fft_full(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full linear convolution of two N-D arrays by FFT, shape ``a.shape + b.shape - 1``."""
    import scipy.fft as sfft

    full = tuple(p + q - 1 for p, q in zip(a.shape, b.shape, strict=True))
    size = fast_shape(full)
    axes = tuple(range(a.ndim))
    spec = sfft.rfftn(a, size, axes=axes) * sfft.rfftn(b, size, axes=axes)
    out = sfft.irfftn(spec, size, axes=axes)
    return out[tuple(slice(0, s) for s in full)]


def fft_valid(big: np.ndarray, small: np.ndarray) -> np.ndarray:
    """'valid' convolution (``big`` at least as large as ``small`` on every axis) by FFT.

    A circular convolution of length ``big.shape`` is enough: the wrap-around
    only spoils the first ``small.shape - 1`` outputs along each axis, which
    are exactly the ones 'valid' discards.
    """
    import scipy.fft as sfft

    size = fast_shape(big.shape)
    axes = tuple(range(big.ndim))
    spec = sfft.rfftn(big, size, axes=axes) * sfft.rfftn(small, size, axes=axes)
    out = sfft.irfftn(spec, size, axes=axes)
    return out[tuple(slice(q - 1, p) for p, q in zip(big.shape, small.shape, strict=True))]


def direct_full_2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full linear 2-D convolution by shifted multiply-adds, looping over the smaller array's entries.

    ``(a * b)[i, j] = sum_{m, n} b[m, n] a[i - m, j - n]``: entry ``b[m, n]``
    adds ``b[m, n] * a`` into the output block starting at row ``m``, column ``n``.
    """
    if a.size < b.size:
        a, b = b, a
    (h, w), (kh, kw) = a.shape, b.shape
    out = np.zeros((h + kh - 1, w + kw - 1))
    tmp = np.empty((h, w))
    for m in range(kh):
        for n in range(kw):
            np.multiply(a, b[m, n], out=tmp)
            out[m : m + h, n : n + w] += tmp
    return out


def direct_valid_2d(big: np.ndarray, small: np.ndarray) -> np.ndarray:
    """'valid' 2-D convolution by shifted multiply-adds (``big`` >= ``small`` on both axes).

    ``out[i, j] = sum_{m, n} small[m, n] big[i + kH - 1 - m, j + kW - 1 - n]``:
    one multiply-add of a shifted window of ``big`` per entry of ``small``.
    """
    (h, w), (kh, kw) = big.shape, small.shape
    ho, wo = h - kh + 1, w - kw + 1
    out = np.zeros((ho, wo))
    tmp = np.empty((ho, wo))
    for m in range(kh):
        r = kh - 1 - m
        for n in range(kw):
            c = kw - 1 - n
            np.multiply(big[r : r + ho, c : c + wo], small[m, n], out=tmp)
            out += tmp
    return out


def _fft_beats(shape, direct: float) -> bool:
    """Whether an FFT of ``shape`` (padded to :func:`fast_shape`) is estimated cheaper than ``direct`` seconds.

    The cost grows with the number of points, so the unpadded ``shape`` bounds it from below: when even that
    costs more, the answer is no without looking the fast lengths up (nor importing SciPy's FFT for it).
    """
    return _fft_cost(shape) < direct and _fft_cost(fast_shape(shape)) < direct


def choose_method_full_2d(a_shape, b_shape) -> str:
    """Cheaper method for a full 2-D convolution of these shapes."""
    na, nb = math.prod(a_shape), math.prod(b_shape)
    direct = _DIRECT_ND_PER_MAC * na * nb + _DIRECT_ND_PER_TAP * min(na, nb)
    full = tuple(p + q - 1 for p, q in zip(a_shape, b_shape, strict=True))
    return "fft" if _fft_beats(full, direct) else "direct"


def choose_method_valid_2d(big_shape, small_shape) -> str:
    """Cheaper method for a 'valid' 2-D convolution of these shapes."""
    out = math.prod(p - q + 1 for p, q in zip(big_shape, small_shape, strict=True))
    taps = math.prod(small_shape)
    direct = _DIRECT_ND_PER_MAC * out * taps + _DIRECT_ND_PER_TAP * taps
    return "fft" if _fft_beats(tuple(big_shape), direct) else "direct"


def resolve_method(method: str, choose, a: np.ndarray, b: np.ndarray) -> str:
    """``method``, with "auto" replaced by ``choose()`` -- but "direct" if a value of ``a`` or ``b`` is not finite."""
    if method == "auto":
        method = choose()
        if method == "fft" and not all_finite(a, b):
            method = "direct"
    return method


def conv2d_full(a: np.ndarray, b: np.ndarray, method: str) -> np.ndarray:
    """Full linear 2-D convolution (zero extension) with ``method`` in {'auto', 'direct', 'fft'}."""
    method = resolve_method(method, lambda: choose_method_full_2d(a.shape, b.shape), a, b)
    return fft_full(a, b) if method == "fft" else direct_full_2d(a, b)


def conv2d_valid(big: np.ndarray, small: np.ndarray, method: str) -> np.ndarray:
    """'valid' 2-D convolution with ``method`` in {'auto', 'direct', 'fft'}."""
    method = resolve_method(method, lambda: choose_method_valid_2d(big.shape, small.shape), big, small)
    return fft_valid(big, small) if method == "fft" else direct_valid_2d(big, small)
