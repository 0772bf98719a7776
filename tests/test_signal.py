"""convlearn.signal against NumPy/SciPy, the readable loops, and its bad-input rules."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import scipy.signal as ss

from convlearn import signal
from convlearn.signal import reference

MODES = ("full", "same", "valid")
BOUNDARIES = ("fill", "wrap", "symm")
METHODS = ("auto", "direct", "fft")


def assert_close(ours, ref, *, rtol=1e-10):
    """The contract: same shape, max |error| <= rtol * max |ref| (absolute floor for all-zero refs)."""
    ref = np.asarray(ref)
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    scale = max(float(np.max(np.abs(ref), initial=0.0)), 1e-300)
    err = float(np.max(np.abs(ours.astype(np.float64) - ref.astype(np.float64)), initial=0.0))
    assert err <= rtol * scale + 1e-300, f"max error {err:.3g} > {rtol:g} * {scale:.3g}"


def _valid_ok(sa, sb):
    return all(p >= q for p, q in zip(sa, sb, strict=True)) or all(q >= p for p, q in zip(sa, sb, strict=True))


# ------------------------------------------------------------------------------------------ NumPy 1-D


@pytest.mark.parametrize("method", METHODS)
def test_convolve1d_and_correlate1d_match_numpy_on_random_lengths(rng, method):
    for _ in range(60):
        L, K = (int(v) for v in rng.integers(1, 40, size=2))
        x, k = rng.standard_normal(L), rng.standard_normal(K)
        for mode in MODES:
            assert_close(signal.convolve1d(x, k, mode, method=method), np.convolve(x, k, mode))
            assert_close(signal.correlate1d(x, k, mode, method=method), np.correlate(x, k, mode))


@pytest.mark.parametrize("K", [1, 2, 11, 101, 1001, 3000])
def test_1d_long_signals_all_methods(rng, K):
    x, k = rng.standard_normal(5000), rng.standard_normal(K)
    for mode in MODES:
        ref_c, ref_r = np.convolve(x, k, mode), np.correlate(x, k, mode)
        for method in METHODS:
            assert_close(signal.convolve1d(x, k, mode, method=method), ref_c)
            assert_close(signal.correlate1d(x, k, mode, method=method), ref_r)


def test_1d_overlap_add_path_matches_numpy(rng):
    # a long signal and a short kernel: the FFT path cuts the signal into blocks (overlap-add)
    x, k = rng.standard_normal(100_003), rng.standard_normal(37)
    assert_close(signal.convolve1d(x, k, method="fft"), np.convolve(x, k))
    assert_close(signal.convolve1d(k, x, "same", method="fft"), np.convolve(k, x, "same"))
    assert_close(signal.correlate1d(x, k, "same", method="fft"), np.correlate(x, k, "same"))


def test_correlate1d_default_mode_is_valid_and_convolve1d_full(rng):
    x, k = rng.standard_normal(9), rng.standard_normal(4)
    assert signal.correlate1d(x, k).shape == (6,)
    assert signal.convolve1d(x, k).shape == (12,)


def test_correlate1d_kernel_longer_than_signal_follows_numpy_swap(rng):
    x, k = rng.standard_normal(4), rng.standard_normal(9)
    for mode in MODES:
        assert_close(signal.correlate1d(x, k, mode), signal.correlate1d(k, x, mode)[::-1])
        assert_close(signal.correlate1d(x, k, mode), np.correlate(x, k, mode))


def test_1d_non_finite_values_stay_local(rng):
    x = rng.standard_normal(2000)
    x[1000] = np.nan
    k = rng.standard_normal(500)  # large enough that 'auto' would pick the FFT for finite data
    with np.errstate(invalid="ignore"):
        ours, ref = signal.convolve1d(x, k), np.convolve(x, k)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    ok = ~np.isnan(ref)
    assert_close(ours[ok], ref[ok])


# ------------------------------------------------------------------------------------------ SciPy 2-D


def _random_shapes(rng, n, hi=9):
    for _ in range(n):
        yield tuple(int(v) for v in rng.integers(1, hi, 2)), tuple(int(v) for v in rng.integers(1, hi, 2))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_convolve2d_and_correlate2d_match_scipy(rng, method, boundary):
    for sa, sk in _random_shapes(rng, 40):
        image, kernel = rng.standard_normal(sa), rng.standard_normal(sk)
        fill = float(rng.standard_normal()) if boundary == "fill" else 0.0
        for mode in MODES:
            if mode == "valid" and not _valid_ok(sa, sk):
                continue
            for ours, oracle in ((signal.convolve2d, ss.convolve2d), (signal.correlate2d, ss.correlate2d)):
                got = ours(image, kernel, mode, boundary, fill, method=method)
                assert_close(got, oracle(image, kernel, mode, boundary, fill))


@pytest.mark.parametrize(
    "sa,sk",
    [((32, 32), (3, 3)), ((40, 33), (15, 15)), ((20, 25), (4, 6)), ((1, 30), (1, 5)), ((30, 1), (7, 1)),
     ((5, 7), (16, 20)), ((64, 64), (31, 31)), ((3, 3), (1, 1)), ((1, 1), (1, 1)), ((1, 1), (6, 4))],
)
def test_2d_special_shapes_all_modes(rng, sa, sk):
    image, kernel = rng.standard_normal(sa), rng.standard_normal(sk)
    for mode in MODES:
        if mode == "valid" and not _valid_ok(sa, sk):
            continue
        for boundary in BOUNDARIES:
            for method in METHODS:
                got = signal.convolve2d(image, kernel, mode, boundary, 0.5, method=method)
                assert_close(got, ss.convolve2d(image, kernel, mode, boundary, 0.5))
                got = signal.correlate2d(image, kernel, mode, boundary, 0.5, method=method)
                assert_close(got, ss.correlate2d(image, kernel, mode, boundary, 0.5))


def test_2d_benchmark_sizes_match_scipy(rng):
    image = rng.standard_normal((256, 256))
    for size in (3, 15, 63):
        kernel = rng.standard_normal((size, size))
        for mode in MODES:
            assert_close(signal.convolve2d(image, kernel, mode), ss.convolve2d(image, kernel, mode))
        assert_close(signal.correlate2d(image, kernel, "same", "symm"), ss.correlate2d(image, kernel, "same", "symm"))


def test_2d_valid_ignores_boundary(rng):
    image, kernel = rng.standard_normal((7, 6)), rng.standard_normal((3, 2))
    base = signal.convolve2d(image, kernel, "valid")
    for boundary in ("wrap", "symm"):
        np.testing.assert_allclose(signal.convolve2d(image, kernel, "valid", boundary, 3.0), base, rtol=1e-12)


@pytest.mark.parametrize("fn,oracle", [(signal.convolve2d, ss.convolve2d), (signal.correlate2d, ss.correlate2d)])
def test_2d_dtypes_and_fillvalue_forms(rng, fn, oracle):
    image32 = rng.standard_normal((12, 10)).astype(np.float32)
    kernel32 = rng.standard_normal((3, 4)).astype(np.float32)
    out = fn(image32, kernel32, "same", "fill", 2.0)
    assert out.dtype == np.float32
    assert_close(out, oracle(image32.astype(np.float64), kernel32.astype(np.float64), "same", "fill", 2.0), rtol=1e-6)
    assert fn(image32, kernel32.astype(np.float64)).dtype == np.float64
    ii, ki = rng.integers(0, 9, (6, 5)), rng.integers(-2, 3, (2, 2))
    out = fn(ii, ki, "full", "symm")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, oracle(ii, ki, "full", "symm"))
    for fill in (np.float32(1.5), np.array(1.5), np.array([1.5]), 3, True):
        expected = oracle(ii.astype(float), ki, "same", "fill", float(np.ravel(fill)[0]))
        assert_close(fn(ii, ki, "same", "fill", fill), expected)


def test_2d_non_finite_fillvalue_and_pixels(rng):
    image, kernel = rng.standard_normal((20, 20)), rng.standard_normal((9, 9))
    image[5, 5] = np.inf
    with np.errstate(invalid="ignore"):
        for fill in (0.0, 2.0, np.nan):
            got = signal.convolve2d(image, kernel, "same", "fill", fill)
            ref = ss.convolve2d(image, kernel, "same", "fill", fill)
            np.testing.assert_array_equal(np.isfinite(got), np.isfinite(ref))
            ok = np.isfinite(ref)
            assert_close(got[ok], ref[ok])


# ------------------------------------------------------------------------------------------ fftconvolve


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_fftconvolve_matches_scipy(rng, ndim):
    for _ in range(25):
        sa = tuple(int(v) for v in rng.integers(1, 9, ndim))
        sb = tuple(int(v) for v in rng.integers(1, 9, ndim))
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        for mode in MODES:
            try:
                ref = ss.fftconvolve(a, b, mode)
            except ValueError:
                with pytest.raises(ValueError, match="valid"):
                    signal.fftconvolve(a, b, mode)
                continue
            assert_close(signal.fftconvolve(a, b, mode), ref, rtol=1e-8)


def test_fftconvolve_dtypes(rng):
    a32 = rng.standard_normal((6, 5, 4)).astype(np.float32)
    out = signal.fftconvolve(a32, a32[:2, :2, :2])
    assert out.dtype == np.float32
    assert_close(out, ss.fftconvolve(a32.astype(float), a32[:2, :2, :2].astype(float)), rtol=1e-6)
    assert signal.fftconvolve(np.arange(5), np.arange(3)).dtype == np.float64


# ------------------------------------------------------------------------------------------ references


def test_reference_loops_equal_fast_paths(rng):
    for _ in range(6):
        L, K = (int(v) for v in rng.integers(1, 12, 2))
        x, k = rng.standard_normal(L), rng.standard_normal(K)
        for mode in MODES:
            assert_close(reference.convolve1d_loops(x, k, mode), signal.convolve1d(x, k, mode))
            assert_close(reference.correlate1d_loops(x, k, mode), signal.correlate1d(x, k, mode))
    for sa, sk in _random_shapes(rng, 6, hi=6):
        image, kernel = rng.standard_normal(sa), rng.standard_normal(sk)
        for mode in MODES:
            if mode == "valid" and not _valid_ok(sa, sk):
                continue
            for boundary in BOUNDARIES:
                assert_close(
                    reference.convolve2d_loops(image, kernel, mode, boundary, -0.7),
                    signal.convolve2d(image, kernel, mode, boundary, -0.7),
                )
                assert_close(
                    reference.correlate2d_loops(image, kernel, mode, boundary, -0.7),
                    signal.correlate2d(image, kernel, mode, boundary, -0.7),
                )


def test_reference_loops_match_oracles_directly(rng):
    image, kernel = rng.standard_normal((4, 5)), rng.standard_normal((6, 3))
    for boundary in BOUNDARIES:
        ours = reference.convolve2d_loops(image, kernel, "same", boundary)
        assert_close(ours, ss.convolve2d(image, kernel, "same", boundary))
        ours = reference.correlate2d_loops(image, kernel, "full", boundary)
        assert_close(ours, ss.correlate2d(image, kernel, "full", boundary))
    x32 = np.arange(5, dtype=np.float32)
    assert reference.convolve1d_loops(x32, x32[:2]).dtype == np.float32


def test_centred_sum_is_same_mode_correlation(rng):
    image, kernel = rng.standard_normal((6, 7)), rng.standard_normal((3, 5))
    same = signal.correlate2d(image, kernel, "same")
    for i in range(6):
        for j in range(7):
            assert reference.centred_sum(image, kernel, i, j) == pytest.approx(same[i, j], abs=1e-12)
    # S(i, j) by the book's formula, written out for one interior pixel
    M, N = 1, 2
    s = sum(image[2 + m, 3 + n] * kernel[M + m, N + n] for m in range(-M, M + 1) for n in range(-N, N + 1))
    assert reference.centred_sum(image, kernel, 2, 3) == pytest.approx(s, abs=1e-12)


def test_centred_sum_bad_input():
    with pytest.raises(ValueError, match="odd"):
        reference.centred_sum(np.ones((4, 4)), np.ones((2, 3)), 0, 0)
    with pytest.raises(ValueError, match="outside the image"):
        reference.centred_sum(np.ones((4, 4)), np.ones((3, 3)), 4, 0)
    with pytest.raises(TypeError, match="j must be an integer"):
        reference.centred_sum(np.ones((4, 4)), np.ones((3, 3)), 0, 1.5)


# ------------------------------------------------------------------------------------------ matrices, separable


def test_toeplitz_matrix_times_signal_is_convolve1d(rng):
    for L, K in [(7, 3), (3, 7), (10, 10), (1, 4), (6, 1)]:
        x, k = rng.standard_normal(L), rng.standard_normal(K)
        for mode in MODES:
            T = signal.convolution_matrix_1d(k, L, mode)
            assert_close(T @ x, signal.convolve1d(x, k, mode))
            assert_close(T @ x, np.convolve(x, k, mode))
    T = signal.convolution_matrix_1d([1.0, 2.0, 3.0], 5)
    for d in range(-T.shape[1] + 1, T.shape[0]):  # constant along every diagonal: Toeplitz
        assert np.unique(np.diagonal(T, offset=-d)).size == 1


def test_doubly_block_toeplitz_times_image_is_convolve2d(rng):
    for sa, sk in [((5, 6), (3, 2)), ((4, 4), (4, 4)), ((3, 4), (5, 6)), ((1, 7), (1, 3)), ((6, 5), (1, 1))]:
        image, kernel = rng.standard_normal(sa), rng.standard_normal(sk)
        for mode in MODES:
            if mode == "valid" and not _valid_ok(sa, sk):
                continue
            A = signal.convolution_matrix_2d(kernel, sa, mode)
            ref = ss.convolve2d(image, kernel, mode)
            assert A.shape == (ref.size, image.size)
            assert_close(A @ image.ravel(), ref.ravel())
    with pytest.raises(ValueError, match="valid"):
        signal.convolution_matrix_2d(np.ones((5, 2)), (3, 8), "valid")


def test_separable_convolution_equals_full_2d(rng):
    for sa, sk in [((20, 17), (3, 5)), ((6, 5), (7, 2)), ((9, 9), (9, 9)), ((1, 8), (1, 3))]:
        image, kc, kr = rng.standard_normal(sa), rng.standard_normal(sk[0]), rng.standard_normal(sk[1])
        for mode in MODES:
            if mode == "valid" and not _valid_ok(sa, sk):
                continue
            assert_close(signal.separable_convolve2d(image, kc, kr, mode), ss.convolve2d(image, np.outer(kc, kr), mode))


def test_separate_kernel_recovers_rank_one_and_rejects_rank_two(rng):
    sobel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    kc, kr = signal.separate_kernel(sobel)
    np.testing.assert_allclose(np.outer(kc, kr), sobel, atol=1e-12)
    np.testing.assert_allclose(kc / kc[0], [1, 2, 1], atol=1e-12)
    u, v = rng.standard_normal(5), rng.standard_normal(4)
    kc, kr = signal.separate_kernel(np.outer(u, v))
    np.testing.assert_allclose(np.outer(kc, kr), np.outer(u, v), atol=1e-12)
    with pytest.raises(ValueError, match="not separable"):
        signal.separate_kernel(rng.standard_normal((3, 3)))
    kc, kr = signal.separate_kernel(np.zeros((2, 3)))
    assert kc.shape == (2,) and kr.shape == (3,)


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("fn", [signal.convolve1d, signal.correlate1d, reference.convolve1d_loops])
def test_1d_wrong_ndim(fn):
    with pytest.raises(ValueError, match=r"x must be 1-D.*\(2, 3\)"):
        fn(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"k must be 1-D"):
        fn(np.ones(4), 2.0)


@pytest.mark.parametrize("fn", [signal.convolve2d, signal.correlate2d, reference.correlate2d_loops])
def test_2d_wrong_ndim(fn):
    with pytest.raises(ValueError, match=r"image must be 2-D.*\(5,\)"):
        fn(np.ones(5), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"kernel must be 2-D.*\(1, 2, 2\)"):
        fn(np.ones((5, 5)), np.ones((1, 2, 2)))


def test_empty_inputs():
    with pytest.raises(ValueError, match="k must not be empty"):
        signal.convolve1d([1.0, 2.0], [])
    with pytest.raises(ValueError, match=r"image must not be empty.*\(0, 3\)"):
        signal.convolve2d(np.ones((0, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="b must not be empty"):
        signal.fftconvolve(np.ones(3), np.ones(0))


def test_complex_inputs_are_type_errors():
    with pytest.raises(TypeError, match="x must be real"):
        signal.convolve1d(np.ones(3) * 1j, np.ones(2))
    with pytest.raises(TypeError, match="kernel must be real"):
        signal.correlate2d(np.ones((3, 3)), np.ones((2, 2), complex))
    with pytest.raises(TypeError, match="a must be real"):
        signal.fftconvolve(np.ones(3, complex), np.ones(2))


def test_non_numeric_inputs_are_type_errors():
    with pytest.raises(TypeError, match="x must be a real numeric array"):
        signal.convolve1d(["a", "b"], [1.0])
    with pytest.raises(TypeError, match="image must be a real numeric array"):
        signal.convolve2d([[None, 1]], [[1.0]])


def test_unknown_mode_boundary_method():
    with pytest.raises(ValueError, match="mode must be one of"):
        signal.convolve1d([1.0, 2], [1.0], "ful")
    with pytest.raises(ValueError, match="mode must be one of"):
        signal.fftconvolve([1.0, 2], [1.0], mode=2)
    with pytest.raises(ValueError, match="boundary must be one of"):
        signal.convolve2d(np.ones((3, 3)), np.ones((2, 2)), boundary="reflect")
    with pytest.raises(ValueError, match="method must be one of"):
        signal.correlate2d(np.ones((3, 3)), np.ones((2, 2)), method="winograd")


def test_valid_mode_needs_one_array_inside_the_other():
    with pytest.raises(ValueError, match=r"image shape \(3, 8\) and kernel shape \(5, 2\)"):
        signal.convolve2d(np.ones((3, 8)), np.ones((5, 2)), "valid")
    with pytest.raises(ValueError, match="at least as large"):
        signal.correlate2d(np.ones((3, 8)), np.ones((5, 2)), "valid")
    with pytest.raises(ValueError, match="at least as large"):
        signal.separable_convolve2d(np.ones((3, 8)), np.ones(5), np.ones(2), "valid")


def test_fftconvolve_dimension_rules():
    with pytest.raises(ValueError, match=r"same number of dimensions.*\(3,\) and \(2, 2\)"):
        signal.fftconvolve(np.ones(3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="a must be 1-D or 2-D or 3-D"):
        signal.fftconvolve(np.ones((2, 2, 2, 2)), np.ones((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="a must be 1-D"):
        signal.fftconvolve(3.0, 2.0)


def test_bad_fillvalue():
    with pytest.raises(TypeError, match="fillvalue must be a real number"):
        signal.convolve2d(np.ones((3, 3)), np.ones((2, 2)), fillvalue=1 + 2j)
    with pytest.raises(TypeError, match="fillvalue"):
        signal.convolve2d(np.ones((3, 3)), np.ones((2, 2)), fillvalue="0")
    with pytest.raises(ValueError, match=r"fillvalue must be a scalar.*\(2,\)"):
        signal.convolve2d(np.ones((3, 3)), np.ones((2, 2)), fillvalue=[1, 2])


def test_bad_matrix_sizes():
    with pytest.raises(ValueError, match="n must be >= 1"):
        signal.convolution_matrix_1d([1.0, 2.0], 0)
    with pytest.raises(TypeError, match="n must be an integer"):
        signal.convolution_matrix_1d([1.0, 2.0], 2.5)
    with pytest.raises(ValueError, match="n must be a finite integer"):
        signal.convolution_matrix_1d([1.0, 2.0], float("nan"))
    with pytest.raises(ValueError, match="image_shape"):
        signal.convolution_matrix_2d(np.ones((2, 2)), (3,))
    with pytest.raises(ValueError, match=r"image_shape\[1\] must be >= 1"):
        signal.convolution_matrix_2d(np.ones((2, 2)), (3, -1))


def test_separable_bad_input():
    with pytest.raises(ValueError, match="k_row must be 1-D"):
        signal.separable_convolve2d(np.ones((4, 4)), np.ones(2), np.ones((2, 2)))
    with pytest.raises(ValueError, match="kernel must be 2-D"):
        signal.separate_kernel(np.ones(3))


def test_float32_through_the_fft_path(rng):
    image = rng.standard_normal((64, 64)).astype(np.float32)
    kernel = rng.standard_normal((31, 31)).astype(np.float32)
    ref = ss.correlate2d(image.astype(np.float64), kernel.astype(np.float64), "same", "wrap")
    for method in ("auto", "fft"):
        out = signal.correlate2d(image, kernel, "same", "wrap", method=method)
        assert out.dtype == np.float32
        assert_close(out, ref, rtol=1e-6)
    x = rng.standard_normal(5000).astype(np.float32)
    out = signal.convolve1d(x, x[:999], method="fft")
    assert out.dtype == np.float32
    assert_close(out, np.convolve(x.astype(np.float64), x[:999].astype(np.float64)), rtol=1e-6)


def test_benchmark_script_runs_and_checks_answers(monkeypatch):
    import importlib.util
    from functools import partial
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_signal.py"
    spec = importlib.util.spec_from_file_location("bench_signal", path)
    bench = importlib.util.module_from_spec(spec)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(var, "1")  # the script sets these; undo it after the test
    monkeypatch.setitem(sys.modules, "bench_signal", bench)  # dataclasses look their module up there
    spec.loader.exec_module(bench)

    def small_cases(rng):
        image, kernel = rng.standard_normal((20, 20)), rng.standard_normal((3, 3))
        ours, oracle = partial(signal.convolve2d, image, kernel), partial(ss.convolve2d, image, kernel)
        yield "convolve2d", "20x20 * 3x3", ours, oracle
        x, k = rng.standard_normal(100), rng.standard_normal(5)
        yield "convolve1d", "100 * 5", partial(signal.convolve1d, x, k), partial(np.convolve, x, k)

    monkeypatch.setattr(bench, "cases", small_cases)
    results = bench.run(quick=True)
    assert [r.function for r in results] == ["convolve2d", "convolve1d"]
    assert all(r.max_rel_error <= 1e-10 and r.ours > 0 and r.oracle > 0 for r in results)
    table = bench.format_table(results)
    assert "geometric mean" in table and "convolve1d" in table


def test_small_convolutions_do_not_import_scipy():
    """SciPy's FFT and sparse modules are imported when a transform or a sparse matrix is made, not with
    convlearn.signal (about 0.45 s of CPU in every process that imports it: a learner's kernel, a chapter)."""
    code = ("import sys, numpy as np\n"
            "from convlearn.signal import convolve1d, correlate2d, convolution_matrix_1d\n"
            "rng = np.random.default_rng(0)\n"
            "convolve1d(rng.random(50), rng.random(5)); correlate2d(rng.random((6, 6)), rng.random((2, 2)), 'same')\n"
            "convolution_matrix_1d(rng.random(3), 10)\n"
            "print(sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')))\n"
            "correlate2d(rng.random((60, 60)), rng.random((15, 15)))\n"
            "print('scipy.fft' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True"  # a large kernel goes the FFT way


def test_2d_method_choice_skips_the_fast_length_search_without_changing_it(monkeypatch):
    """The 2-D choice looks the FFT's fast lengths up only when the unpadded transform could be cheaper than
    the direct sum; its answers are those of comparing the padded transform's cost every time."""
    from convlearn.signal import _fast

    shapes = [(5, 5), (9, 7), (16, 16), (31, 29), (64, 64), (101, 99), (256, 256)]
    kernels = [(1, 1), (3, 3), (5, 4), (7, 7), (15, 15), (31, 31)]
    pairs = [(a, b) for a in shapes for b in kernels]
    valid = [(a, b) for a, b in pairs if all(q <= p for p, q in zip(a, b, strict=True))]

    def choices():
        return ([_fast.choose_method_full_2d(a, b) for a, b in pairs],
                [_fast.choose_method_valid_2d(a, b) for a, b in valid])

    got = choices()
    monkeypatch.setattr(_fast, "_fft_beats", lambda shape, direct: _fast._fft_cost(_fast.fast_shape(shape)) < direct)
    want = choices()
    assert got == want
    assert {"fft", "direct"} <= set(got[0]) and {"fft", "direct"} <= set(got[1])  # both answers occur
