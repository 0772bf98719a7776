"""convlearn.nn.functional: fast paths against the readable loops, on many seeded random configurations."""

from __future__ import annotations

import numpy as np
import pytest
from _layer_cases import random_transpose

import convlearn.nn.functional as F
from convlearn.nn.functional import reference as R

SEED = 20261124


def gen(i: int) -> np.random.Generator:
    return np.random.default_rng([SEED, i])


def random_conv(rng, nd: int, *, depthwise: bool = False, small: bool = False):
    """A random valid convolution: (x, weight, bias, kwargs) with mixed hyper-parameter forms."""
    if depthwise:
        groups = int(rng.integers(2, 5))
        c_in = c_out = groups
    else:
        groups = int(rng.choice([1, 1, 2, 3]))
        c_in = groups * int(rng.integers(1, 3))
        c_out = groups * int(rng.integers(1, 3))
    kmax = 3 if small else 4
    kernel = tuple(int(k) for k in rng.integers(1, kmax, size=nd))
    dilation = tuple(int(d) for d in rng.integers(1, 3, size=nd))
    stride = tuple(int(s) for s in rng.integers(1, 4, size=nd))
    mode = rng.integers(0, 4)
    if mode == 0:
        padding = int(rng.integers(0, 3))
        pads = (padding,) * nd
    elif mode == 1:
        padding = tuple(int(p) for p in rng.integers(0, 3, size=nd))
        pads = padding
    elif mode == 2:
        padding, pads = "valid", (0,) * nd
    else:
        padding, stride = "same", (1,) * nd
        pads = tuple((d * (k - 1)) // 2 for k, d in zip(kernel, dilation, strict=True))
    extent = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    top = 3 if small else 6
    spatial = tuple(int(rng.integers(max(1, e - 2 * p), max(1, e - 2 * p) + top)) for e, p in zip(extent, pads,
                                                                                                   strict=True))
    n = int(rng.integers(1, 3))
    x = rng.standard_normal((n, c_in) + spatial)
    w = rng.standard_normal((c_out, c_in // groups) + kernel)
    b = rng.standard_normal(c_out) if rng.random() < 0.7 else None
    # mix int and tuple forms of stride / dilation
    kw = dict(stride=stride if rng.random() < 0.5 or len(set(stride)) > 1 else stride[0],
              padding=padding,
              dilation=dilation if rng.random() < 0.5 or len(set(dilation)) > 1 else dilation[0],
              groups=groups)
    return x, w, b, kw


def random_pool(rng, *, with_dilation: bool):
    kernel = tuple(int(k) for k in rng.integers(1, 4, size=2))
    stride = None if rng.random() < 0.3 else tuple(int(s) for s in rng.integers(1, 4, size=2))
    padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
    dilation = tuple(int(d) for d in rng.integers(1, 3, size=2)) if with_dilation else (1, 1)
    ceil_mode = bool(rng.random() < 0.5)
    extent = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    spatial = tuple(int(rng.integers(max(1, e - 2 * p), max(1, e - 2 * p) + 7)) for e, p in zip(extent, padding,
                                                                                                 strict=True))
    shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4))) + spatial
    if rng.random() < 0.4:  # small integers: many ties inside windows
        x = rng.integers(-2, 3, size=shape).astype(np.float64)
    else:
        x = rng.standard_normal(shape)
    kw = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode)
    if with_dilation:
        kw["dilation"] = dilation
    return x, kw


def assert_close(actual, expected, rtol=1e-10):
    assert actual.shape == expected.shape
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    np.testing.assert_allclose(actual, expected, rtol=0, atol=rtol * scale)


# ------------------------------------------------------------------------------------------------------------
# Convolution forward: fast vs loops
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", range(40))
def test_conv2d_fast_matches_loops(case):
    x, w, b, kw = random_conv(gen(case), 2, depthwise=case % 8 == 7)
    assert_close(F.conv2d(x, w, b, **kw), R.conv2d_loops(x, w, b, **kw))


@pytest.mark.parametrize("case", range(20))
def test_conv1d_fast_matches_loops(case):
    x, w, b, kw = random_conv(gen(100 + case), 1, depthwise=case % 5 == 4)
    assert_close(F.conv1d(x, w, b, **kw), R.conv1d_loops(x, w, b, **kw))


@pytest.mark.parametrize("case", range(8))
def test_conv3d_fast_matches_loops(case):
    x, w, b, kw = random_conv(gen(200 + case), 3, depthwise=case == 7, small=True)
    assert_close(F.conv3d(x, w, b, **kw), R.conv3d_loops(x, w, b, **kw))


@pytest.mark.parametrize("case", range(25))
def test_conv2d_backward_fast_matches_loops(case):
    x, w, _, kw = random_conv(gen(300 + case), 2, depthwise=case % 6 == 5)
    g = gen(1300 + case).standard_normal(F.conv2d(x, w, **kw).shape)
    for fast, slow in zip(F.conv2d_backward(g, x, w, **kw), R.conv2d_backward_loops(g, x, w, **kw), strict=True):
        assert_close(fast, slow)


@pytest.mark.parametrize("case", range(25))
def test_conv_transpose2d_fast_matches_loops(case):
    x, w, b, kw = random_transpose(gen(400 + case))
    assert_close(F.conv_transpose2d(x, w, b, **kw), R.conv_transpose2d_loops(x, w, b, **kw))


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2])
def test_depthwise_flat_path_matches_strided_path(monkeypatch, nd, dilation):
    """Stride-1 depthwise convolutions take the flat-view path; it must agree with the strided tap loop."""
    rng = gen(900 + nd + 10 * dilation)
    x = rng.standard_normal((3, 5) + (7,) * nd)
    w = rng.standard_normal((5, 1) + (3,) * nd)
    kw = dict(padding=1 + (nd == 2), dilation=dilation, groups=5)
    fwd = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
    bwd = {1: F.conv1d_backward, 2: F.conv2d_backward, 3: F.conv3d_backward}[nd]

    def forward_and_gradients():
        out = fwd(x, w, **kw)
        g = np.cos(np.arange(out.size)).reshape(out.shape)
        return (out,) + bwd(g, x, w, **kw)

    for a, b in zip(*with_and_without_accelerators(monkeypatch, forward_and_gradients), strict=True):
        assert_close(a, b, rtol=1e-12)


@pytest.mark.parametrize("case", range(12))
def test_flat_input_gradient_matches_strided_path(monkeypatch, case):
    """Stride-1 input gradients (any groups) can take the flat-view path; it must agree with the strided col2im."""
    from convlearn.nn.functional import _accel

    monkeypatch.setattr(_accel, "_flat_col2im_pays", lambda w_shape, groups: True)  # whatever the channel counts
    nd = 1 + case % 3
    x, w, _, kw = random_conv(gen(950 + case), nd, small=nd == 3)
    kw["stride"] = 1
    fwd = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
    bwd = {1: F.conv1d_backward, 2: F.conv2d_backward, 3: F.conv3d_backward}[nd]
    g = gen(1950 + case).standard_normal(fwd(x, w, **kw).shape)
    for a, b in zip(*with_and_without_accelerators(monkeypatch, lambda: bwd(g, x, w, **kw)), strict=True):
        assert_close(a, b, rtol=1e-12)


@pytest.mark.parametrize("case", range(6))
def test_fast_matches_loops_in_float32_and_for_integers(case):
    x, w, b, kw = random_conv(gen(980 + case), 2, depthwise=case == 5)
    x32, w32 = x.astype(np.float32), w.astype(np.float32)
    b32 = None if b is None else b.astype(np.float32)
    fast, slow = F.conv2d(x32, w32, b32, **kw), R.conv2d_loops(x32, w32, b32, **kw)
    assert fast.dtype == slow.dtype == np.float32
    assert_close(fast.astype(np.float64), slow.astype(np.float64), rtol=1e-4)
    xi, wi = np.round(3 * x).astype(np.int32), np.round(2 * w).astype(np.int64)
    fast, slow = F.conv2d(xi, wi, **kw), R.conv2d_loops(xi, wi, **kw)
    assert fast.dtype == slow.dtype == np.float64
    np.testing.assert_array_equal(fast, slow)  # small integers: every partial sum is exact in float64
    pool_kw = dict(kernel_size=2, stride=1, padding=1)
    np.testing.assert_array_equal(F.max_pool2d(xi, **pool_kw), R.max_pool2d_loops(xi, **pool_kw))
    assert_close(F.avg_pool2d(x32, **pool_kw).astype(np.float64), R.avg_pool2d_loops(x32, **pool_kw), rtol=1e-4)


@pytest.mark.parametrize("case", range(12))
def test_flat_forward_matches_strided_path(monkeypatch, case):
    """Stride-1 convolutions with short output rows build their columns on the flat view; same numbers."""
    from convlearn.nn.functional import _accel

    nd = 1 + case % 3
    x, w, b, kw = random_conv(gen(990 + case), nd, small=nd == 3)
    kw["stride"] = 1
    fwd = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
    results = with_and_without_accelerators(monkeypatch, lambda: fwd(x, w, b, **kw))
    assert fwd(x, w, b, **kw).shape[-1] <= _accel.SHORT_ROW  # the configurations are small: the flat path was taken
    assert_close(results[0], results[1], rtol=1e-12)


@pytest.mark.parametrize("case", [
    # (x shape, weight shape, conv2d keywords, the accelerator the dispatch must pick)
    ((3, 5, 7, 9), (5, 1, 3, 2), dict(padding=1, groups=5), "rows"),
    ((2, 4, 6, 40), (4, 1, 3, 3), dict(padding=(1, 2), dilation=(1, 2), groups=4), "flat"),
    ((2, 3, 9, 6), (4, 3, 3, 3), dict(padding=1), "flat_gemm"),
    ((3, 8, 11, 12), (5, 8, 5, 5), dict(padding=2), "kernel_rows"),
    ((2, 8, 10, 13), (3, 8, 3, 4), dict(stride=(1, 2), dilation=(2, 1), padding=(0, 1)), "kernel_rows"),
    ((2, 6, 9, 11), (6, 6, 2, 6), dict(stride=(1, 3), padding="valid"), "kernel_rows"),
])
def test_each_forward_accelerator_matches_readable_path_and_loops(monkeypatch, case):
    """Every forward accelerator of ``_accel`` is taken where the dispatch says and gives the readable path's
    numbers, with and without a bias (which each path adds in its own way), and so do the gradients (their own
    accelerators where the dispatch has one)."""
    from convlearn.nn.functional import _accel

    x_shape, w_shape, kw, name = case
    rng = gen(sum(x_shape) + sum(w_shape))
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    y = F.conv2d(x, w, **kw)
    y_b = F.conv2d(x, w, b, **kw)
    assert _accel.select("forward", x.shape, w.shape, _as_pair(kw.get("stride", 1)), _as_pair(kw.get("dilation", 1)),
                         kw.get("groups", 1), y.shape[2:]) == name
    g = rng.standard_normal(y.shape)
    grads = F.conv2d_backward(g, x, w, **kw)
    monkeypatch.setattr(_accel, "ENABLED", False)
    assert_close(y, F.conv2d(x, w, **kw), rtol=1e-12)
    assert_close(y, R.conv2d_loops(x, w, **kw))
    assert_close(y_b, F.conv2d(x, w, b, **kw), rtol=1e-12)
    assert_close(y_b, R.conv2d_loops(x, w, b, **kw))
    for fast, readable, loops in zip(grads, F.conv2d_backward(g, x, w, **kw), R.conv2d_backward_loops(g, x, w, **kw),
                                     strict=True):
        assert_close(fast, readable, rtol=1e-12)
        assert_close(fast, loops)
    for dtype in (np.float32,):
        monkeypatch.setattr(_accel, "ENABLED", True)
        y32 = F.conv2d(x.astype(dtype), w.astype(dtype), b.astype(dtype), **kw)
        assert y32.dtype == dtype
        assert_close(y32.astype(float), y_b, rtol=1e-4)


def with_and_without_accelerators(monkeypatch, compute):
    """``(compute() with the accelerators of ``_accel``, compute() with the readable path only)``."""
    from convlearn.nn.functional import _accel

    results = []
    for flag in (True, False):
        monkeypatch.setattr(_accel, "ENABLED", flag)
        results.append(compute())
    return tuple(results)


def _as_pair(v):
    return v if isinstance(v, tuple) else (v, v)


def test_conv2d_known_values():
    """A 3x3 box filter on a 4x4 ramp: each output is 9 times the centre value."""
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    y = F.conv2d(x, np.ones((1, 1, 3, 3)), np.array([0.5]))
    np.testing.assert_allclose(y[0, 0], 9 * x[0, 0, 1:3, 1:3] + 0.5)


def test_conv2d_is_cross_correlation_not_convolution():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1.0
    w = np.arange(9.0).reshape(1, 1, 3, 3)
    # an impulse cross-correlated with w gives w flipped; convolved, it would give w itself
    np.testing.assert_allclose(F.conv2d(x, w, padding=1)[0, 0], w[0, 0, ::-1, ::-1])


def test_same_padding_even_kernel_pads_extra_after():
    """'same' with an even (dilated) extent pads d(k-1)//2 before, the rest after, like PyTorch."""
    rng = gen(1)
    x = rng.standard_normal((1, 2, 5, 6))
    w = rng.standard_normal((3, 2, 2, 4))
    explicit = np.pad(x, ((0, 0), (0, 0), (0, 1), (1, 2)))
    np.testing.assert_allclose(F.conv2d(x, w, padding="same"), F.conv2d(explicit, w), rtol=1e-12)
    assert F.conv2d(x, w, padding="same").shape == (1, 3, 5, 6)


def test_groups_are_independent_convolutions():
    rng = gen(2)
    x = rng.standard_normal((2, 4, 6, 6))
    w = rng.standard_normal((6, 2, 3, 3))
    y = F.conv2d(x, w, groups=2, padding=1)
    np.testing.assert_allclose(y[:, :3], F.conv2d(x[:, :2], w[:3], padding=1), rtol=1e-12)
    np.testing.assert_allclose(y[:, 3:], F.conv2d(x[:, 2:], w[3:], padding=1), rtol=1e-12)


def test_conv1d_and_conv3d_agree_with_conv2d():
    """A 1-D convolution is a 2-D one with a height-1 kernel; a 3-D one with depth 1 is a 2-D one."""
    rng = gen(3)
    x = rng.standard_normal((2, 3, 9))
    w = rng.standard_normal((4, 3, 3))
    y1 = F.conv1d(x, w, stride=2, padding=1, dilation=2)
    y2 = F.conv2d(x[:, :, None], w[:, :, None], stride=(1, 2), padding=(0, 1), dilation=(1, 2))
    np.testing.assert_allclose(y1, y2[:, :, 0], rtol=1e-12)
    x3 = rng.standard_normal((2, 3, 1, 5, 6))
    w3 = rng.standard_normal((4, 3, 1, 2, 3))
    np.testing.assert_allclose(F.conv3d(x3, w3)[:, :, 0], F.conv2d(x3[:, :, 0], w3[:, :, 0]), rtol=1e-12)


# dtypes and purity: their one home is tests/test_contract.py


# ------------------------------------------------------------------------------------------------------------
# Pooling: fast vs loops
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", range(30))
def test_max_pool2d_fast_matches_loops(case):
    x, kw = random_pool(gen(500 + case), with_dilation=True)
    y = F.max_pool2d(x, **kw)
    assert_close(y, R.max_pool2d_loops(x, **kw))
    g = gen(1500 + case).standard_normal(y.shape)
    assert_close(F.max_pool2d_backward(g, x, **kw), R.max_pool2d_backward_loops(g, x, **kw))


@pytest.mark.parametrize("case", range(30))
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_fast_matches_loops(case, count_include_pad):
    x, kw = random_pool(gen(600 + case), with_dilation=False)
    y = F.avg_pool2d(x, **kw, count_include_pad=count_include_pad)
    assert_close(y, R.avg_pool2d_loops(x, **kw, count_include_pad=count_include_pad))
    g = gen(1600 + case).standard_normal(y.shape)
    assert_close(F.avg_pool2d_backward(g, x, **kw, count_include_pad=count_include_pad),
                 R.avg_pool2d_backward_loops(g, x, **kw, count_include_pad=count_include_pad))


@pytest.mark.parametrize(("shape", "kw"), [
    ((2, 3, 12, 12), dict(kernel_size=12)),  # a global average pool: one window
    ((2, 3, 5, 7), dict(kernel_size=(6, 7), padding=(1, 0), ceil_mode=True)),  # one window reaching into the padding
    ((2, 3, 9, 8), dict(kernel_size=(9, 8), stride=(2, 1))),  # one window, any stride
    ((2, 3, 8, 10), dict(kernel_size=2)),  # windows that tile the input
    ((2, 3, 7, 11), dict(kernel_size=3, padding=1, ceil_mode=True)),  # tiles with padding, the last ones clipped
    ((2, 3, 16, 12), dict(kernel_size=(4, 3), stride=(4, 3))),
])
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_shortcuts_match_loops(shape, kw, count_include_pad):
    """The single-window sum and the tiled gradient (stride = kernel size) against the loops."""
    x = gen(7).standard_normal(shape)
    y = F.avg_pool2d(x, **kw, count_include_pad=count_include_pad)
    assert_close(y, R.avg_pool2d_loops(x, **kw, count_include_pad=count_include_pad))
    g = gen(8).standard_normal(y.shape)
    assert_close(F.avg_pool2d_backward(g, x, **kw, count_include_pad=count_include_pad),
                 R.avg_pool2d_backward_loops(g, x, **kw, count_include_pad=count_include_pad))


def test_max_pool_ties_go_to_first_maximum():
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 0.0, 3.0]]]])
    grad = F.max_pool2d_backward(np.array([[[[1.0, 10.0]]]]), x, 2)
    expected = np.array([[[[0.0, 1.0, 10.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]])
    np.testing.assert_array_equal(grad, expected)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, stride=1, padding=1, dilation=(1, 2), ceil_mode=True)])
def test_max_pool_gradient_in_blocks_of_planes(monkeypatch, kw):
    """The fast max-pool gradient works on blocks of channel planes: ties (small integers), disjoint and
    overlapping windows, and a NaN in a late block (the scan takes over) all agree with the loops."""
    from convlearn.nn.functional import pooling

    monkeypatch.setattr(pooling, "POOL_BLOCK", 40)  # a few planes per block
    rng = gen(1234)
    x = rng.integers(-2, 3, size=(3, 5, 6, 7)).astype(float)
    g = rng.standard_normal(F.max_pool2d(x, **kw).shape)
    assert_close(F.max_pool2d_backward(g, x, **kw), R.max_pool2d_backward_loops(g, x, **kw))
    y, index = F.max_pool2d(x, **kw, return_indices=True)
    assert_close(y, R.max_pool2d_loops(x, **kw))
    assert_close(F.max_pool2d_backward(g, x, **kw, indices=index), R.max_pool2d_backward_loops(g, x, **kw))
    x[2, 4, 3, 3] = np.nan
    assert_close(F.max_pool2d_backward(g, x, **kw), R.max_pool2d_backward_loops(g, x, **kw))
    _, index = F.max_pool2d(x, **kw, return_indices=True)
    assert_close(F.max_pool2d_backward(g, x, **kw, indices=index), R.max_pool2d_backward_loops(g, x, **kw))


def test_max_pool_indices_are_checked():
    """Indices that ``max_pool2d(..., return_indices=True)`` cannot have given are refused, naming them."""
    x = gen(77).standard_normal((2, 3, 6, 6))
    y, index = F.max_pool2d(x, 2, return_indices=True)
    g = np.ones_like(y)
    for bad, what in ((index[:, :2], r"shape \(2, 3, 3, 3\).*shape \(2, 2, 3, 3\)"),
                      (index.astype(float), "integers"), (index + 36, r"\[0, 36\)"),
                      (np.full_like(index, -1), r"\[0, 36\)")):
        with pytest.raises(ValueError, match="indices.*" + what):
            F.max_pool2d_backward(g, x, 2, indices=bad)
    with pytest.raises(TypeError, match="return_indices"):
        F.max_pool2d(x, 2, return_indices="yes")
    kept = index.copy()
    F.max_pool2d_backward(g, x, 2, indices=index)
    np.testing.assert_array_equal(index, kept)


def test_max_pool_overlapping_windows_accumulate():
    x = np.array([[[[0.0, 5.0, 0.0]]]])
    grad = F.max_pool2d_backward(np.array([[[[1.0, 2.0]]]]), x, (1, 2), stride=1)
    np.testing.assert_array_equal(grad, [[[[0.0, 3.0, 0.0]]]])


def test_ceil_mode_drops_window_starting_in_right_padding():
    """PyTorch's rule: with ceil_mode, a last window that would start beyond input + left padding is dropped."""
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    # floor((5 + 2 - 2)/2) + 1 = 3; ceil gives 4 but window 3 would start at 3*2 - 1 = 5 >= 5: dropped
    assert F.max_pool2d(x, 2, stride=2, padding=1, ceil_mode=True).shape == (1, 1, 3, 3)
    # without padding: ceil((5 - 2)/2) + 1 = 3 and window 2 starts at 4 < 5: kept, it overhangs the edge
    y = F.avg_pool2d(x, 2, ceil_mode=True)
    assert y.shape == (1, 1, 3, 3)
    assert y[0, 0, 2, 2] == x[0, 0, 4, 4]  # the overhanging part does not count in the divisor


def test_avg_pool_count_include_pad():
    x = np.ones((1, 1, 2, 2))
    np.testing.assert_allclose(F.avg_pool2d(x, 2, stride=1, padding=1)[0, 0, 0, 0], 0.25)
    np.testing.assert_allclose(F.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False), np.ones((1, 1, 3, 3)))


# ------------------------------------------------------------------------------------------------------------
# im2col / col2im
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", range(10))
def test_conv2d_is_gemm_with_im2col(case):
    x, w, b, kw = random_conv(gen(700 + case), 2)
    kw["groups"] = 1
    w = gen(1700 + case).standard_normal((3, x.shape[1]) + w.shape[2:])
    y = F.conv2d(x, w, **kw)
    if kw["padding"] == "same":
        return  # im2col takes symmetric integer padding only
    cols = F.im2col(x, w.shape[2:], stride=kw["stride"], padding=kw["padding"] if kw["padding"] != "valid" else 0,
                    dilation=kw["dilation"])
    np.testing.assert_allclose((w.reshape(3, -1) @ cols).reshape(y.shape), y, rtol=1e-10, atol=1e-12)


def test_im2col_layout():
    x = np.arange(2 * 3 * 4.0).reshape(1, 2, 3, 4)
    cols = F.im2col(x, (2, 3))
    assert cols.shape == (1, 2 * 2 * 3, 2 * 2)
    # column 1 is the window at (0, 1); row c*6 + i*3 + j holds x[c, i, 1 + j]
    window = x[0, :, 0:2, 1:4].reshape(-1)
    np.testing.assert_array_equal(cols[0, :, 1], window)


def test_col2im_counts_overlaps():
    ones = np.ones((1, 1, 4, 4))
    cols = F.im2col(ones, 3)
    counts = F.col2im(cols, ones.shape, 3)
    expected = np.outer([1, 2, 2, 1], [1, 2, 2, 1])
    np.testing.assert_array_equal(counts[0, 0], expected)


def test_max_pool_gradient_of_minus_inf_and_nan_windows():
    """PyTorch's scan: an all -inf window picks its first real sample; a window with NaN picks its last NaN."""
    x = np.full((1, 1, 3, 3), -np.inf)
    g = F.max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2, stride=2, padding=1)
    expected = np.zeros((1, 1, 3, 3))
    expected[0, 0, [0, 0, 1, 1], [0, 1, 0, 1]] = 1.0  # first real sample of each window
    np.testing.assert_array_equal(g, expected)
    np.testing.assert_array_equal(R.max_pool2d_backward_loops(np.ones((1, 1, 2, 2)), x, 2, stride=2, padding=1),
                                  expected)
    x = np.zeros((1, 1, 3, 4))
    x[0, 0, 1, 1] = x[0, 0, 1, 2] = np.nan
    y = F.max_pool2d(x, 2, stride=1)
    assert np.isnan(y).all()
    np.testing.assert_array_equal(np.isnan(y), np.isnan(R.max_pool2d_loops(x, 2, stride=1)))
    g = F.max_pool2d_backward(np.ones(y.shape), x, 2, stride=1)
    expected = np.zeros((1, 1, 3, 4))
    expected[0, 0, 1, 1] = 2.0  # windows (0, 0) and (1, 0) see only this NaN
    expected[0, 0, 1, 2] = 4.0  # windows (0, 1), (1, 1) end on it; (0, 2), (1, 2) see only it
    np.testing.assert_array_equal(g, expected)
    np.testing.assert_array_equal(R.max_pool2d_backward_loops(np.ones(y.shape), x, 2, stride=1), expected)


def test_every_public_function_is_documented():
    for name in F.__all__ + [f"reference.{n}" for n in R.__all__]:
        obj = getattr(R, name.split(".")[1]) if name.startswith("reference.") else getattr(F, name)
        assert obj.__doc__ and len(obj.__doc__) > 40, name
    assert "padding :" in F.conv2d.__doc__ and "Returns\n    -------" in F.conv1d.__doc__


def test_reference_uses_the_public_setups_only():
    """The readable loops share the fast path's argument checks through the public set-up family, never through a
    private name of another module."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(R))
    imported = [(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names]
    assert ("setups", "ConvSetup") in imported and ("setups", "PoolSetup") in imported
    # (``from . import _args``, the package's argument helpers, is a module, not a private name of one)
    assert not [name for module, name in imported if name.startswith("_") and module not in (None, "__future__")]


@pytest.mark.parametrize("case", range(24))
def test_batch_blocks_give_the_whole_batch_numbers(monkeypatch, case):
    """The GEMM paths work on blocks of images (``_accel.images_per_block``); with blocks forced down to one or a
    few images (odd batch sizes, so the blocks are not all alike), forward, both gradients and the transposed
    convolution equal the loops and the unblocked numbers."""
    from convlearn.nn.functional import _accel

    rng = gen(4200 + case)
    nd = 1 + case % 3
    x, w, b, kw = random_conv(rng, nd, small=nd == 3)
    x = rng.standard_normal(((2 + case % 3) * len(x),) + x.shape[1:])  # a batch of 2 to 8 images
    conv, backward = {1: (F.conv1d, F.conv1d_backward), 2: (F.conv2d, F.conv2d_backward),
                      3: (F.conv3d, F.conv3d_backward)}[nd]
    y = conv(x, w, b, **kw)
    g = rng.standard_normal(y.shape)
    grads = backward(g, x, w, **kw)
    xt, wt, bt, kt = random_transpose(rng)
    xt = rng.standard_normal((3 * len(xt),) + xt.shape[1:])
    yt = F.conv_transpose2d(xt, wt, bt, **kt)
    gt = rng.standard_normal(yt.shape)
    grads_t = F.conv_transpose2d_backward(gt, xt, wt, **kt)
    monkeypatch.setattr(_accel, "BATCH_BLOCK_MIN_BYTES", 0)
    per_image = x.shape[1] * w[0, 0].size * y[0, 0].size * x.itemsize
    monkeypatch.setattr(_accel, "BATCH_BLOCK_BYTES", 1 if case % 2 else 2 * per_image)  # 1 or 2 images a block
    depthwise = kw["groups"] == x.shape[1] == w.shape[0] > 1
    assert depthwise or _accel.images_per_block(x.shape, w.shape, kw["groups"], y.shape[2:], x.itemsize) <= 2
    assert_close(conv(x, w, b, **kw), y, rtol=1e-12)
    for blocked, whole in zip(backward(g, x, w, **kw), grads, strict=True):
        assert_close(blocked, whole, rtol=1e-12)
    assert_close(F.conv_transpose2d(xt, wt, bt, **kt), yt, rtol=1e-12)
    for blocked, whole in zip(F.conv_transpose2d_backward(gt, xt, wt, **kt), grads_t, strict=True):
        assert_close(blocked, whole, rtol=1e-12)
    if nd == 2:
        assert_close(y, R.conv2d_loops(x, w, b, **kw))
        for fast, loops in zip(grads, R.conv2d_backward_loops(g, x, w, **kw), strict=True):
            assert_close(fast, loops)
