"""convlearn.nn.functional against torch.nn.functional: forward values and autograd gradients.

Uses the ``torch`` fixture: skipped locally when PyTorch is missing, a failure in CI.
Tolerances (relative to the largest |value| of PyTorch's result): 1e-10 in float64, 1e-4 in float32.
"""

from __future__ import annotations

import numpy as np
import pytest

import convlearn.nn.functional as F

pytestmark = [
    pytest.mark.torch,
    pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning"),
]

SEED = 20261124
DTYPES = [np.float64, np.float32]
TOL = {np.float64: 1e-10, np.float32: 1e-4}


def gen(i):
    return np.random.default_rng([SEED, 99, i])


def assert_matches(ours, theirs, dtype):
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype == dtype
    scale = max(1.0, float(np.max(np.abs(theirs))))
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
    groups = int(rng.choice([1, 1, 2, 3]))
    c_in = groups * int(rng.integers(1, 3))
    c_out = groups * int(rng.integers(1, 3))
    kernel = tuple(int(k) for k in rng.integers(1, 5, size=2))
    stride = tuple(int(s) for s in rng.integers(1, 4, size=2))
    dilation = tuple(int(d) for d in rng.integers(1, 3, size=2))
    spatial = tuple(int(v) for v in rng.integers(1, 7, size=2))
    padding = tuple(int(rng.integers(0, 1 + min(2, ((n - 1) * s + d * (k - 1)) // 2)))
                    for n, s, d, k in zip(spatial, stride, dilation, kernel, strict=True))
    output_padding = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation, strict=True))
    kw = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation)
    x = rng.standard_normal((int(rng.integers(1, 4)), c_in) + spatial).astype(dtype)
    w = rng.standard_normal((c_in, c_out // groups) + kernel).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype)
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


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("case", range(40))
def test_max_pool2d_forward_and_gradient(torch, case, dtype):
    rng = gen(6000 + case)
    x, kw = random_pool(rng, dtype, with_dilation=True)
    xt = torch.from_numpy(x).requires_grad_()
    yt = torch.nn.functional.max_pool2d(xt, **kw)
    y = F.max_pool2d(x, **kw)
    assert_matches(y, yt, dtype)
    g = rng.standard_normal(y.shape).astype(dtype)
    yt.backward(torch.from_numpy(g))
    assert_matches(F.max_pool2d_backward(g, x, **kw), xt.grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("case", range(30))
def test_avg_pool2d_forward_and_gradient(torch, case, count_include_pad, dtype):
    rng = gen(7000 + case)
    x, kw = random_pool(rng, dtype, with_dilation=False)
    kw["count_include_pad"] = count_include_pad
    xt = torch.from_numpy(x).requires_grad_()
    yt = torch.nn.functional.avg_pool2d(xt, **kw)
    y = F.avg_pool2d(x, **kw)
    assert_matches(y, yt, dtype)
    g = rng.standard_normal(y.shape).astype(dtype)
    yt.backward(torch.from_numpy(g))
    assert_matches(F.avg_pool2d_backward(g, x, **kw), xt.grad, dtype)


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
