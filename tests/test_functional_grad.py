"""Gradients of convlearn.nn.functional checked by central differences, and adjointness identities."""

from __future__ import annotations

import numpy as np
import pytest

import convlearn.nn.functional as F
from convlearn.gradcheck import check_gradient

SEED = 20261124


def gen(i):
    return np.random.default_rng([SEED, 77, i])


def check(f, x, analytic):
    result = check_gradient(f, x, analytic, eps=1e-6, rtol=1e-6, atol=1e-8)
    assert result, result


def check_all_gradients(forward, backward, rng, x, w, b, **kw):
    """Check the input, weight and bias gradients of ``backward`` against central differences of ``forward``,
    for the loss ``sum(forward(x, w, b) * g)`` with a random ``g`` drawn from ``rng``."""
    g = rng.standard_normal(forward(x, w, b, **kw).shape)
    gx, gw, gb = backward(g, x, w, **kw)
    check(lambda v: np.sum(forward(v, w, b, **kw) * g), x, gx)
    check(lambda v: np.sum(forward(x, v, b, **kw) * g), w, gw)
    check(lambda v: np.sum(forward(x, w, v, **kw) * g), b, gb)


CONV_CASES = [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(2, 1), padding=(0, 2), dilation=(1, 2)),
    dict(padding="same", dilation=2),
    dict(groups=2, stride=(1, 3), padding=1),
    dict(groups=4, padding=1),  # depthwise
]


@pytest.mark.parametrize("kw", CONV_CASES, ids=str)
def test_conv2d_backward_numerically(kw):
    rng = gen(len(str(kw)))
    groups = kw.get("groups", 1)
    c_out = 4 if groups == 4 else 2 * groups
    x = rng.standard_normal((2, 4, 5, 6))
    w = rng.standard_normal((c_out, 4 // groups, 3, 2))
    b = rng.standard_normal(c_out)
    check_all_gradients(F.conv2d, F.conv2d_backward, rng, x, w, b, **kw)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=2, dilation=2, groups=2), dict(padding="same")], ids=str)
def test_conv1d_backward_numerically(kw):
    rng = gen(10 + len(kw))
    groups = kw.get("groups", 1)
    x = rng.standard_normal((2, 2, 9))
    w = rng.standard_normal((4, 2 // groups, 4))
    b = rng.standard_normal(4)
    check_all_gradients(F.conv1d, F.conv1d_backward, rng, x, w, b, **kw)


@pytest.mark.parametrize("kw", [dict(), dict(stride=(1, 2, 2), padding=(1, 0, 1), dilation=(1, 1, 2))], ids=str)
def test_conv3d_backward_numerically(kw):
    rng = gen(20 + len(kw))
    x = rng.standard_normal((1, 2, 3, 4, 5))
    w = rng.standard_normal((2, 2, 2, 2, 2))
    b = rng.standard_normal(2)
    check_all_gradients(F.conv3d, F.conv3d_backward, rng, x, w, b, **kw)


TRANSPOSE_CASES = [
    dict(),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(3, 2), padding=(1, 0), dilation=(1, 2), groups=2),
    dict(stride=1, dilation=3, output_padding=2),  # output_padding < dilation is allowed
]


@pytest.mark.parametrize("kw", TRANSPOSE_CASES, ids=str)
def test_conv_transpose2d_backward_numerically(kw):
    rng = gen(30 + len(str(kw)))
    groups = kw.get("groups", 1)
    x = rng.standard_normal((2, 2, 3, 4))
    w = rng.standard_normal((2, 3, 3, 2))
    b = rng.standard_normal(3 * groups)
    check_all_gradients(F.conv_transpose2d, F.conv_transpose2d_backward, rng, x, w, b, **kw)


POOL_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=1, padding=(1, 1)),
]


@pytest.mark.parametrize("kw", POOL_CASES + [dict(kernel_size=2, stride=1, dilation=2, padding=1)], ids=str)
def test_max_pool2d_backward_numerically(kw):
    rng = gen(40 + len(str(kw)))
    # distinct values far apart compared with eps: the maximum of each window is unique and stable
    x = rng.permutation(2 * 2 * 5 * 6).reshape(2, 2, 5, 6) * 0.1
    g = rng.standard_normal(F.max_pool2d(x, **kw).shape)
    check(lambda v: np.sum(F.max_pool2d(v, **kw) * g), x, F.max_pool2d_backward(g, x, **kw))


@pytest.mark.parametrize("kw", POOL_CASES, ids=str)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_backward_numerically(kw, count_include_pad):
    rng = gen(50 + len(str(kw)))
    x = rng.standard_normal((2, 2, 5, 6))
    g = rng.standard_normal(F.avg_pool2d(x, **kw).shape)
    check(lambda v: np.sum(F.avg_pool2d(v, **kw, count_include_pad=count_include_pad) * g), x,
          F.avg_pool2d_backward(g, x, **kw, count_include_pad=count_include_pad))


# ------------------------------------------------------------------------------------------------------------
# Adjointness
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kw", TRANSPOSE_CASES, ids=str)
def test_conv_transpose2d_is_adjoint_of_conv2d(kw):
    """<conv2d(z, w), y> = <z, conv_transpose2d(y, w)> for every z of the transposed output's shape."""
    rng = gen(60 + len(str(kw)))
    groups = kw.get("groups", 1)
    w = rng.standard_normal((4, 3, 3, 2))  # conv2d: C_out=4, C_in=3*groups; transpose: C_in=4, C_out=3*groups
    y = rng.standard_normal((2, 4, 3, 4))
    t = F.conv_transpose2d(y, w, **kw)
    z = rng.standard_normal(t.shape)
    conv_kw = {k: v for k, v in kw.items() if k != "output_padding"}
    cz = F.conv2d(z, w, **conv_kw)
    if cz.shape != y.shape:
        # output_padding >= stride (allowed when < dilation): the convolution of z has extra trailing outputs,
        # which no input of the transposed convolution reaches -- it is the adjoint of the cropped convolution
        cz = cz[:, :, : y.shape[2], : y.shape[3]]
    assert cz.shape == y.shape
    assert np.isclose(np.vdot(cz, y), np.vdot(z, t), rtol=1e-12)
    assert t.shape[1] == 3 * groups  # the transposed output has C_out/groups = 3 channels per group


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(stride=(1, 3), padding=(2, 0), dilation=2)],
                         ids=str)
def test_col2im_is_adjoint_of_im2col(kw):
    rng = gen(70 + len(str(kw)))
    x = rng.standard_normal((2, 3, 6, 7))
    cols = F.im2col(x, (3, 2), **kw)
    c = rng.standard_normal(cols.shape)
    assert np.isclose(np.vdot(cols, c), np.vdot(x, F.col2im(c, x.shape, (3, 2), **kw)), rtol=1e-12)


def test_conv2d_backward_input_grad_is_transposed_conv():
    rng = gen(80)
    x = rng.standard_normal((2, 3, 7, 7))
    w = rng.standard_normal((4, 3, 3, 3))
    g = rng.standard_normal(F.conv2d(x, w, stride=2, padding=1).shape)
    gx = F.conv2d_backward(g, x, w, stride=2, padding=1)[0]
    np.testing.assert_allclose(gx, F.conv_transpose2d(g, w, stride=2, padding=1, output_padding=0), rtol=1e-12)
