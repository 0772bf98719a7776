"""The one home of PyTorch parity: convlearn.nn.functional against torch.nn.functional, the layers, the loss
and the optimisers of convlearn.nn against torch.nn and torch.optim: forward values and autograd gradients.

Uses the ``torch`` fixture: skipped locally when PyTorch is missing, a failure in CI.
Tolerances (relative to the largest |value| of PyTorch's result): 1e-10 in float64, 1e-4 in float32.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from _layer_cases import LAYER_CASES, random_transpose

import convlearn.nn.functional as F
from convlearn import nn
from convlearn.nn.optim import SGD, Adam

pytestmark = [
    pytest.mark.torch,
    pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning"),
]

SEED = 20261124
DTYPES = [np.float64, np.float32]
TOL = {np.float64: 1e-10, np.float32: 1e-4}


def gen(i):
    return np.random.default_rng([SEED, 99, i])


def assert_matches(ours, theirs, dtype=np.float64):
    """``ours`` has PyTorch's shape and dtype, and its values to TOL[dtype] of the largest |value| (at least 1)."""
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape, f"shape {ours.shape}, torch {theirs.shape}"
    assert ours.dtype == theirs.dtype == dtype
    scale = max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL[dtype] * scale)


def random_conv(rng, nd, dtype):
    groups = int(rng.choice([1, 1, 2, 3]))
    depthwise = rng.random() < 0.15
    if depthwise:
        groups = int(rng.integers(2, 5))
        c_in = c_out = groups
    else:
        c_in = groups * int(rng.integers(1, 4))
        c_out = groups * int(rng.integers(1, 4))
    kmax = 3 if nd == 3 else 5
    kernel = tuple(int(k) for k in rng.integers(1, kmax + 1, size=nd))
    dilation = tuple(int(d) for d in rng.integers(1, 3, size=nd))
    stride = tuple(int(s) for s in rng.integers(1, 4, size=nd))
    mode = int(rng.integers(0, 4))
    if mode == 0:
        padding = tuple(int(p) for p in rng.integers(0, 3, size=nd))
        pads = padding
    elif mode == 1:
        padding = int(rng.integers(0, 3))
        pads = (padding,) * nd
    elif mode == 2:
        padding, pads = "valid", (0,) * nd
    else:
        padding, stride, pads = "same", (1,) * nd, (0,) * nd
    extent = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    top = 4 if nd == 3 else 8
    spatial = tuple(int(rng.integers(max(1, e - 2 * p), max(1, e - 2 * p) + top)) for e, p in zip(extent, pads,
                                                                                                   strict=True))
    x = rng.standard_normal((int(rng.integers(1, 4)), c_in) + spatial).astype(dtype)
    w = rng.standard_normal((c_out, c_in // groups) + kernel).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype)
    return x, w, b, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


CONV = {1: ("conv1d", F.conv1d, F.conv1d_backward), 2: ("conv2d", F.conv2d, F.conv2d_backward),
        3: ("conv3d", F.conv3d, F.conv3d_backward)}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("nd,case", [(2, i) for i in range(40)] + [(1, i) for i in range(15)] +
                         [(3, i) for i in range(10)])
def test_conv_forward_and_gradients(torch, nd, case, dtype):
    rng = gen(1000 * nd + case)
    x, w, b, kw = random_conv(rng, nd, dtype)
    name, forward, backward = CONV[nd]
    tfun = getattr(torch.nn.functional, name)
    xt, wt, bt = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
    yt = tfun(xt, wt, bt, **kw)
    y = forward(x, w, b, **kw)
    assert_matches(y, yt, dtype)
    g = rng.standard_normal(y.shape).astype(dtype)
    yt.backward(torch.from_numpy(g))
    gx, gw, gb = backward(g, x, w, **kw)
    assert_matches(gx, xt.grad, dtype)
    assert_matches(gw, wt.grad, dtype)
    assert_matches(gb, bt.grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("case", range(30))
def test_conv_transpose2d_forward_and_gradients(torch, case, dtype):
    rng = gen(5000 + case)
    x, w, b, kw = random_transpose(rng, wide=True, dtype=dtype, bias=1)
    xt, wt, bt = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
    yt = torch.nn.functional.conv_transpose2d(xt, wt, bt, **kw)
    y = F.conv_transpose2d(x, w, b, **kw)
    assert_matches(y, yt, dtype)
    g = rng.standard_normal(y.shape).astype(dtype)
    yt.backward(torch.from_numpy(g))
    gx, gw, gb = F.conv_transpose2d_backward(g, x, w, **kw)
    assert_matches(gx, xt.grad, dtype)
    assert_matches(gw, wt.grad, dtype)
    assert_matches(gb, bt.grad, dtype)


def random_pool(rng, dtype, with_dilation):
    kernel = tuple(int(k) for k in rng.integers(1, 5, size=2))
    stride = None if rng.random() < 0.3 else tuple(int(s) for s in rng.integers(1, 4, size=2))
    padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
    dilation = tuple(int(d) for d in rng.integers(1, 3, size=2)) if with_dilation else (1, 1)
    extent = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    spatial = tuple(int(rng.integers(max(1, e - 2 * p), max(1, e - 2 * p) + 9)) for e, p in zip(extent, padding,
                                                                                                 strict=True))
    shape = (int(rng.integers(1, 4)), int(rng.integers(1, 4))) + spatial
    if rng.random() < 0.4:
        x = rng.integers(-2, 3, size=shape).astype(dtype)  # many ties
    else:
        x = rng.standard_normal(shape).astype(dtype)
    kw = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=bool(rng.random() < 0.5))
    if with_dilation:
        kw["dilation"] = dilation
    return x, kw


def check_pool_against_torch(torch_pool, pool, pool_backward, x, kw, rng, dtype):
    """``pool(x, **kw)`` and its gradient ``pool_backward`` match PyTorch's ``torch_pool`` and autograd, for a
    random upstream gradient ``g`` drawn from ``rng``. Returns ``(y, g, xt)``: the output, ``g`` and the PyTorch
    input (whose ``grad`` holds PyTorch's gradient)."""
    import torch

    xt = torch.from_numpy(x).requires_grad_()
    yt = torch_pool(xt, **kw)
    y = pool(x, **kw)
    assert_matches(y, yt, dtype)
    g = rng.standard_normal(y.shape).astype(dtype)
    yt.backward(torch.from_numpy(g))
    assert_matches(pool_backward(g, x, **kw), xt.grad, dtype)
    return y, g, xt


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("case", range(40))
def test_max_pool2d_forward_and_gradient(torch, case, dtype):
    rng = gen(6000 + case)
    x, kw = random_pool(rng, dtype, with_dilation=True)
    y, g, xt = check_pool_against_torch(torch.nn.functional.max_pool2d, F.max_pool2d, F.max_pool2d_backward, x, kw,
                                        rng, dtype)
    # return_indices: PyTorch's indices exactly, and the backward that takes them gives the same gradient
    y_i, index = F.max_pool2d(x, **kw, return_indices=True)
    _, index_t = torch.nn.functional.max_pool2d(xt.detach(), **kw, return_indices=True)
    np.testing.assert_array_equal(y_i, y)
    np.testing.assert_array_equal(index, index_t.numpy())
    assert index.dtype == np.int64
    assert_matches(F.max_pool2d_backward(g, x, **kw, indices=index), xt.grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("case", range(30))
def test_avg_pool2d_forward_and_gradient(torch, case, count_include_pad, dtype):
    rng = gen(7000 + case)
    x, kw = random_pool(rng, dtype, with_dilation=False)
    kw["count_include_pad"] = count_include_pad
    check_pool_against_torch(torch.nn.functional.avg_pool2d, F.avg_pool2d, F.avg_pool2d_backward, x, kw, rng, dtype)


@pytest.mark.parametrize("case", range(10))
def test_im2col_col2im_match_unfold_fold(torch, case):
    rng = gen(8000 + case)
    kernel = tuple(int(k) for k in rng.integers(1, 4, size=2))
    kw = dict(stride=tuple(int(s) for s in rng.integers(1, 3, size=2)),
              padding=tuple(int(p) for p in rng.integers(0, 2, size=2)),
              dilation=tuple(int(d) for d in rng.integers(1, 3, size=2)))
    x = rng.standard_normal((2, 3, 7, 8))
    cols = F.im2col(x, kernel, **kw)
    assert_matches(cols, torch.nn.functional.unfold(torch.from_numpy(x), kernel, **kw), np.float64)
    c = rng.standard_normal(cols.shape)
    folded = torch.nn.functional.fold(torch.from_numpy(c), (7, 8), kernel, **kw)
    assert_matches(F.col2im(c, x.shape, kernel, **kw), folded, np.float64)


@pytest.mark.parametrize(
    "call",
    [
        lambda t, x, w: t.nn.functional.conv2d(x, w, padding="same", stride=2),
        lambda t, x, w: t.nn.functional.conv2d(x, w[:, :2]),
        lambda t, x, w: t.nn.functional.max_pool2d(x, 3, padding=2),
        lambda t, x, w: t.nn.functional.conv2d(x, w, dilation=4),
    ],
    ids=["same-with-stride", "channel-mismatch", "pool-padding", "dilated-kernel-too-large"],
)
def test_torch_rejects_what_we_reject(torch, call):
    """The bad-input rules we enforce are PyTorch's too (so we reject nothing PyTorch accepts, here)."""
    x = np.ones((1, 4, 6, 6))
    w = np.ones((2, 4, 3, 3))
    with pytest.raises(RuntimeError):
        call(torch, torch.from_numpy(x), torch.from_numpy(w))
    with pytest.raises(ValueError):
        call(_NumpyTorch, x, w)


class _NumpyTorch:
    """Stand-in with the ``t.nn.functional`` path pointing at convlearn, to run the same calls."""

    class nn:  # noqa: N801
        functional = F


@pytest.mark.parametrize("case", range(12))
def test_max_pool2d_with_nan_and_minus_inf_like_torch(torch, case):
    rng = gen(9000 + case)
    x, kw = random_pool(rng, np.float64, with_dilation=True)
    special = rng.random(x.shape)
    x[special < 0.15] = -np.inf
    if case % 2:
        x[special > 0.92] = np.nan
    xt = torch.from_numpy(x).requires_grad_()
    yt = torch.nn.functional.max_pool2d(xt, **kw)
    y = F.max_pool2d(x, **kw)
    np.testing.assert_array_equal(y, yt.detach().numpy())  # NaN and -inf in the same places, values exact
    g = rng.standard_normal(y.shape)
    yt.backward(torch.from_numpy(g))
    np.testing.assert_allclose(F.max_pool2d_backward(g, x, **kw), xt.grad.numpy(), rtol=0, atol=1e-12)
    y_i, index = F.max_pool2d(x, **kw, return_indices=True)
    np.testing.assert_array_equal(y_i, y)
    np.testing.assert_array_equal(index, torch.nn.functional.max_pool2d(xt.detach(), **kw, return_indices=True)[1])
    np.testing.assert_allclose(F.max_pool2d_backward(g, x, **kw, indices=index), xt.grad.numpy(), rtol=0, atol=1e-12)


# ------------------------------------------------------------------------------------------------------------
# The contract's cases: fixed geometries, sweeps of small geometries (incl. the errors and the size functions)
# ------------------------------------------------------------------------------------------------------------


def cgen(*key: int) -> np.random.Generator:
    """The random stream of the contract's cases (kept apart from ``gen``'s so that their data stay the same)."""
    return np.random.default_rng([SEED, 7, *key])


def _t(torch, a, grad=False):
    return torch.tensor(a, requires_grad=grad)


CONTRACT_CONV_CASES = [
    # nd, C_in, C_out, groups, kernel, stride, padding, dilation
    (1, 4, 6, 2, (4,), 1, "same", 1),
    (1, 3, 3, 3, (2,), 1, "same", 3),
    (1, 2, 4, 1, (5,), 3, 2, 2),
    (1, 2, 2, 1, (3,), 1, "valid", 1),
    (2, 4, 6, 2, (2, 4), 1, "same", (2, 1)),
    (2, 3, 3, 3, (4, 4), 1, "same", 2),
    (2, 3, 2, 1, (3, 2), (2, 3), (1, 2), (2, 1)),
    (2, 2, 4, 2, (1, 1), 2, 0, 1),
    (2, 6, 4, 2, (3, 3), 1, "valid", 1),
    (3, 2, 4, 2, (2, 3, 2), 1, "same", (1, 2, 2)),
    (3, 3, 2, 1, (3, 1, 2), (2, 1, 1), (1, 0, 1), 1),
]


def _conv_args(case, dtype, rng):
    nd, c_in, c_out, groups, kernel, stride, padding, dilation = case
    x = rng.standard_normal((2, c_in) + (7, 8, 6)[:nd]).astype(dtype)
    w = rng.standard_normal((c_out, c_in // groups) + kernel).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype)
    return x, w, b, {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


@pytest.mark.parametrize("case", CONTRACT_CONV_CASES, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv_against_torch(torch, case, dtype):
    x, w, b, kw = _conv_args(case, dtype, cgen(30, CONTRACT_CONV_CASES.index(case)))
    nd = case[0]
    ours = getattr(F, f"conv{nd}d")
    theirs = getattr(torch.nn.functional, f"conv{nd}d")
    assert_matches(ours(x, w, b, **kw), theirs(_t(torch, x), _t(torch, w), _t(torch, b), **kw), dtype)
    assert_matches(ours(x, w, **kw), theirs(_t(torch, x), _t(torch, w), **kw), dtype)


@pytest.mark.parametrize("case", CONTRACT_CONV_CASES, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv_backward_against_autograd(torch, case, dtype):
    """conv2d_backward (contract) and conv1d_backward/conv3d_backward (agreed names) vs torch autograd."""
    x, w, b, kw = _conv_args(case, dtype, cgen(31, CONTRACT_CONV_CASES.index(case)))
    nd = case[0]
    tx, tw, tb = _t(torch, x, True), _t(torch, w, True), _t(torch, b, True)
    y = getattr(torch.nn.functional, f"conv{nd}d")(tx, tw, tb, **kw)
    go = cgen(32).standard_normal(tuple(y.shape)).astype(dtype)
    (y * _t(torch, go)).sum().backward()
    gx, gw, gb = getattr(F, f"conv{nd}d_backward")(go, x, w, **kw)
    assert_matches(gx, tx.grad, dtype)
    assert_matches(gw, tw.grad, dtype)
    assert_matches(gb, tb.grad, dtype)


def test_conv2d_geometry_sweep_against_torch(torch):
    """Every small (size, kernel, stride, padding, dilation): same output shape, values, and conv_output_size."""
    rng = cgen(33)
    for h, k, s, p, d in itertools.product((1, 4, 5, 6), (1, 2, 3), (1, 2, 3), (0, 1, 2), (1, 2)):
        x = rng.standard_normal((1, 2, h, 3))
        w = rng.standard_normal((2, 2, k, 1))
        try:
            ref = torch.nn.functional.conv2d(_t(torch, x), _t(torch, w), stride=(s, 1), padding=(p, 0),
                                             dilation=(d, 1))
        except RuntimeError:
            with pytest.raises(ValueError):
                F.conv2d(x, w, stride=(s, 1), padding=(p, 0), dilation=(d, 1))
            with pytest.raises(ValueError):
                F.conv_output_size(h, k, stride=s, padding=p, dilation=d)
            continue
        assert_matches(F.conv2d(x, w, stride=(s, 1), padding=(p, 0), dilation=(d, 1)), ref)
        assert F.conv_output_size(h, k, stride=s, padding=p, dilation=d) == ref.shape[2]
        if s == 1:
            same = torch.nn.functional.conv2d(_t(torch, x), _t(torch, w), padding="same", dilation=(d, 1))
            assert_matches(F.conv2d(x, w, padding="same", dilation=(d, 1)), same)
            assert F.conv_output_size(h, k, padding="same", dilation=d) == same.shape[2] == h


CONTRACT_TRANSPOSE_CASES = [
    # C_in, C_out/groups, groups, kernel, stride, padding, output_padding, dilation
    (2, 3, 1, (3, 3), 1, 0, 0, 1),
    (4, 3, 2, (3, 2), 2, 1, 1, 1),
    (4, 1, 4, (2, 2), 2, 0, (1, 0), 1),
    (2, 2, 1, (3, 3), (2, 3), (1, 2), (1, 2), (1, 2)),
    (3, 2, 1, (2, 3), 1, 1, 1, 2),
    (6, 2, 3, (4, 1), 3, 2, 2, 2),
]


@pytest.mark.parametrize("case", CONTRACT_TRANSPOSE_CASES, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv_transpose2d_against_torch(torch, case, dtype):
    c_in, c_outg, groups, kernel, stride, padding, output_padding, dilation = case
    rng = cgen(34, CONTRACT_TRANSPOSE_CASES.index(case))
    x = rng.standard_normal((2, c_in, 4, 5)).astype(dtype)
    w = rng.standard_normal((c_in, c_outg) + kernel).astype(dtype)
    b = rng.standard_normal(c_outg * groups).astype(dtype)
    kw = {"stride": stride, "padding": padding, "output_padding": output_padding, "groups": groups,
          "dilation": dilation}
    ref = torch.nn.functional.conv_transpose2d(_t(torch, x), _t(torch, w), _t(torch, b), **kw)
    assert_matches(F.conv_transpose2d(x, w, b, **kw), ref, dtype)
    pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
    for axis in range(2):
        size = F.conv_transpose_output_size(x.shape[2 + axis], kernel[axis], stride=pair(stride)[axis],
                                            padding=pair(padding)[axis], output_padding=pair(output_padding)[axis],
                                            dilation=pair(dilation)[axis])
        assert size == ref.shape[2 + axis]


def test_conv_transpose_geometry_sweep_against_torch(torch):
    rng = cgen(35)
    for h, k, s, p, op, d in itertools.product((1, 3, 4), (1, 2, 3), (1, 2, 3), (0, 1, 2), (0, 1, 2), (1, 2)):
        x = rng.standard_normal((1, 1, h, 2))
        w = rng.standard_normal((1, 2, k, 1))
        kw = {"stride": (s, 1), "padding": (p, 0), "output_padding": (op, 0), "dilation": (d, 1)}
        try:
            ref = torch.nn.functional.conv_transpose2d(_t(torch, x), _t(torch, w), **kw)
        except RuntimeError:
            with pytest.raises(ValueError):
                F.conv_transpose2d(x, w, **kw)
            with pytest.raises(ValueError):
                F.conv_transpose_output_size(h, k, stride=s, padding=p, output_padding=op, dilation=d)
            continue
        assert_matches(F.conv_transpose2d(x, w, **kw), ref)
        assert F.conv_transpose_output_size(h, k, stride=s, padding=p, output_padding=op, dilation=d) == ref.shape[2]


def _pool_sweep(dtype=np.float64):
    """Small pooling geometries (float64: all of them; float32: every third, the dtype path is the same)."""
    grid = itertools.product((3, 4, 5, 6, 7), (1, 2, 3), (None, 1, 2, 3), (0, 1), (1, 2), (False, True))
    for i, (h, k, s, p, d, ceil) in enumerate(grid):
        if p <= k // 2 and (dtype == np.float64 or i % 3 == 0):
            yield h, k, s, p, d, ceil


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_max_pool2d_sweep_against_torch(torch, dtype):
    """Padding, dilation and ceil_mode (incl. the dropped last window) on a grid, forward and gradient."""
    rng = cgen(36)
    for h, k, s, p, d, ceil in _pool_sweep(dtype):
        x = rng.standard_normal((1, 2, h, 4)).astype(dtype)
        kw = {"stride": None if s is None else (s, 1), "padding": (p, 0), "dilation": (d, 1), "ceil_mode": ceil}
        tx = _t(torch, x, True)
        try:
            ref = torch.nn.functional.max_pool2d(tx, (k, 1), **kw)
        except RuntimeError:
            with pytest.raises(ValueError):
                F.max_pool2d(x, (k, 1), **kw)
            continue
        assert_matches(F.max_pool2d(x, (k, 1), **kw), ref, dtype)
        go = rng.standard_normal(tuple(ref.shape)).astype(dtype)
        (ref * _t(torch, go)).sum().backward()
        assert_matches(F.max_pool2d_backward(go, x, (k, 1), **kw), tx.grad, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_avg_pool2d_sweep_against_torch(torch, dtype):
    """ceil_mode and count_include_pad=False on a grid, forward and gradient."""
    rng = cgen(37)
    for (h, k, s, p, d, ceil), cip in itertools.product(_pool_sweep(dtype), (True, False)):
        if d != 1:
            continue
        x = rng.standard_normal((1, 2, 5, h)).astype(dtype)
        kw = {"stride": None if s is None else (2, s), "padding": (1, p), "ceil_mode": ceil,
              "count_include_pad": cip}
        tx = _t(torch, x, True)
        try:
            ref = torch.nn.functional.avg_pool2d(tx, (3, k), **kw)
        except RuntimeError:
            with pytest.raises(ValueError):
                F.avg_pool2d(x, (3, k), **kw)
            continue
        assert_matches(F.avg_pool2d(x, (3, k), **kw), ref, dtype)
        go = rng.standard_normal(tuple(ref.shape)).astype(dtype)
        (ref * _t(torch, go)).sum().backward()
        assert_matches(F.avg_pool2d_backward(go, x, (3, k), **kw), tx.grad, dtype)


def test_max_pool2d_backward_ties_go_to_the_first_maximum_like_torch(torch):
    x = np.zeros((1, 1, 4, 5))
    x[0, 0, 1:3, 1:4] = 1.0
    kw = {"stride": 1, "padding": 1}
    tx = _t(torch, x, True)
    y = torch.nn.functional.max_pool2d(tx, 3, **kw)
    go = cgen(38).standard_normal(tuple(y.shape))
    (y * _t(torch, go)).sum().backward()
    assert_matches(F.max_pool2d_backward(go, x, 3, **kw), tx.grad)


def _torch_max_pool_grad(torch, x, go, k, **kw):
    tx = _t(torch, x, True)
    (torch.nn.functional.max_pool2d(tx, k, **kw) * _t(torch, go)).sum().backward()
    return tx.grad


def test_max_pool2d_backward_minus_inf_windows_like_torch(torch):
    x = np.full((1, 1, 3, 3), -np.inf)
    go = np.ones((1, 1, 2, 2))
    assert_matches(F.max_pool2d_backward(go, x, 2, stride=2, padding=1), _torch_max_pool_grad(torch, x, go, 2, stride=2,
                                                                                             padding=1))


def test_max_pool2d_backward_nan_windows_like_torch(torch):
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = np.nan
    go = np.ones((1, 1, 2, 2))
    ours = F.max_pool2d_backward(go, x, 2, stride=1)
    np.testing.assert_array_equal(np.isnan(F.max_pool2d(x, 2, stride=1)), np.ones((1, 1, 2, 2), bool))
    assert_matches(ours, _torch_max_pool_grad(torch, x, go, 2, stride=1))


# ------------------------------------------------------------------------------------------------
# convlearn.nn: same weights, same input -> same output, input gradient and parameter gradients
# ------------------------------------------------------------------------------------------------
def _torch_twin(torch, layer):
    """The torch.nn module equivalent to ``layer``, carrying the same weights."""
    tnn = torch.nn
    if isinstance(layer, nn.ConvTranspose2d):
        m = tnn.ConvTranspose2d(layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride, layer.padding,
                                layer.output_padding, layer.groups, layer.bias is not None, layer.dilation,
                                dtype=torch.float64)
    elif isinstance(layer, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
        cls = {nn.Conv1d: tnn.Conv1d, nn.Conv2d: tnn.Conv2d, nn.Conv3d: tnn.Conv3d}[type(layer)]
        m = cls(layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride, layer.padding, layer.dilation,
                layer.groups, layer.bias is not None, dtype=torch.float64)
    elif isinstance(layer, nn.MaxPool2d):
        m = tnn.MaxPool2d(layer.kernel_size, layer.stride, layer.padding, layer.dilation, ceil_mode=layer.ceil_mode)
    elif isinstance(layer, nn.AvgPool2d):
        m = tnn.AvgPool2d(layer.kernel_size, layer.stride, layer.padding, layer.ceil_mode, layer.count_include_pad)
    elif isinstance(layer, nn.ReLU):
        m = tnn.ReLU()
    elif isinstance(layer, nn.Flatten):
        m = tnn.Flatten(layer.start_dim, layer.end_dim)
    elif isinstance(layer, nn.Linear):
        m = tnn.Linear(layer.in_features, layer.out_features, layer.bias is not None, dtype=torch.float64)
    else:  # pragma: no cover
        raise AssertionError(layer)
    if hasattr(layer, "weight"):
        with torch.no_grad():
            w = layer.effective_weight() if hasattr(layer, "effective_weight") else layer.weight.value
            m.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
            if layer.bias is not None:
                m.bias.copy_(torch.from_numpy(layer.bias.value))
    return m


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_matches_torch(case, rng, torch):
    factory, shape = LAYER_CASES[case]
    layer = factory()
    x = rng.standard_normal(shape)
    g = rng.standard_normal(layer.forward(x).shape)

    twin = _torch_twin(torch, layer)
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    yt = twin(xt)
    yt.backward(torch.from_numpy(g))

    y = layer.forward(x)
    grad_x = layer.backward(g)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    if hasattr(layer, "weight"):
        gw = twin.weight.grad.numpy()
        if getattr(layer, "mode", "correlation") == "convolution":
            gw = np.flip(gw, axis=layer.spatial_axes)
        np.testing.assert_allclose(layer.weight.grad, gw, rtol=1e-10, atol=1e-12)
        if layer.bias is not None:
            np.testing.assert_allclose(layer.bias.grad, twin.bias.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_sequential_matches_torch(rng, torch):
    from convlearn.train import digits_cnn

    net = digits_cnn(seed=3)
    twin = torch.nn.Sequential(*[_torch_twin(torch, layer) for layer in net])
    x = rng.standard_normal((4, 1, 8, 8))
    g = rng.standard_normal((4, 10))
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    twin(xt).backward(torch.from_numpy(g))
    np.testing.assert_allclose(net.forward(x), twin(xt).detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(net.backward(g), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    torch_grads = {name: p.grad.numpy() for name, p in twin.named_parameters()}
    for p in net.parameters():
        np.testing.assert_allclose(p.grad, torch_grads[p.name], rtol=1e-10, atol=1e-12)


def test_cross_entropy_matches_torch(rng, torch):
    logits = rng.standard_normal((6, 5)) * 3
    targets = rng.integers(0, 5, size=6)
    loss_fn = nn.CrossEntropyLoss()
    loss = loss_fn(logits, targets)
    zt = torch.from_numpy(logits.copy()).requires_grad_(True)
    lt = torch.nn.CrossEntropyLoss()(zt, torch.from_numpy(targets))
    lt.backward()
    assert loss == pytest.approx(lt.item(), rel=1e-12)
    np.testing.assert_allclose(loss_fn.backward(), zt.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("kind", ["sgd", "sgd_momentum_wd", "adam", "adam_wd"])
def test_optimisers_match_torch(kind, rng, torch):
    value = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) for _ in range(5)]
    p = nn.Parameter("w", value.copy(), np.zeros_like(value))
    pt = torch.nn.Parameter(torch.from_numpy(value.copy()))
    ours, theirs = {
        "sgd": (lambda: SGD([p], lr=0.1), lambda: torch.optim.SGD([pt], lr=0.1)),
        "sgd_momentum_wd": (lambda: SGD([p], lr=0.05, momentum=0.9, weight_decay=1e-2),
                            lambda: torch.optim.SGD([pt], lr=0.05, momentum=0.9, weight_decay=1e-2)),
        "adam": (lambda: Adam([p], lr=0.01), lambda: torch.optim.Adam([pt], lr=0.01)),
        "adam_wd": (lambda: Adam([p], lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
                    lambda: torch.optim.Adam([pt], lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    }[kind]
    opt, opt_t = ours(), theirs()
    for g in grads:
        p.grad[...] = g
        pt.grad = torch.from_numpy(g.copy())
        opt.step()
        opt_t.step()
    np.testing.assert_allclose(p.value, pt.detach().numpy(), rtol=1e-12, atol=1e-14)
