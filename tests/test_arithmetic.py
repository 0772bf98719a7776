"""Convolution arithmetic: the output-size relationships of Dumoulin & Visin (2016), numbered as in the paper,
each checked on conv_output_size / conv_transpose_output_size AND on the shape of an actual
conv2d / conv_transpose2d / pooling output; plus receptive fields against brute-force impulse propagation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import convlearn.nn.functional as F
from convlearn.nn.functional import LayerGeometry, ReceptiveField, receptive_field

SIZES = range(1, 10)
KERNELS = range(1, 6)


def conv_shape(i, k, s=1, p=0, d=1):
    """Height of an actual conv2d output on an (i x 3) input with a (k x 1) kernel."""
    return F.conv2d(np.zeros((1, 1, i, 3)), np.ones((1, 1, k, 1)), stride=(s, 1), padding=(p, 0),
                    dilation=(d, 1)).shape[2]


def transpose_shape(i, k, s=1, p=0, a=0, d=1):
    """Height of an actual conv_transpose2d output on an (i x 3) input with a (k x 1) kernel."""
    return F.conv_transpose2d(np.zeros((1, 1, i, 3)), np.ones((1, 1, k, 1)), stride=(s, 1), padding=(p, 0),
                              output_padding=(a, 0), dilation=(d, 1)).shape[2]


def both(i, k, s=1, p=0, d=1):
    return F.conv_output_size(i, k, stride=s, padding=p, dilation=d), conv_shape(i, k, s, p, d)


# ---------------------------------------------------------------- convolutions (relationships 1-6)
def test_relationship_01_no_zero_padding_unit_strides():
    for i, k in itertools.product(SIZES, KERNELS):
        if k <= i:
            assert both(i, k) == ((i - k) + 1,) * 2


def test_relationship_02_zero_padding_unit_strides():
    for i, k, p in itertools.product(SIZES, KERNELS, range(4)):
        if k <= i + 2 * p:
            assert both(i, k, p=p) == ((i - k) + 2 * p + 1,) * 2


def test_relationship_03_half_same_padding():
    for i, n in itertools.product(SIZES, range(3)):
        k = 2 * n + 1  # odd kernel, p = floor(k / 2) = n
        assert both(i, k, p=k // 2) == (i, i)
        assert F.conv_output_size(i, k, padding="same") == i
        assert F.conv2d(np.zeros((1, 1, i, i)), np.ones((1, 1, k, k)), padding="same").shape[2:] == (i, i)


def test_relationship_04_full_padding():
    for i, k in itertools.product(SIZES, KERNELS):
        assert both(i, k, p=k - 1) == (i + (k - 1),) * 2


def test_relationship_05_no_zero_padding_non_unit_strides():
    for i, k, s in itertools.product(SIZES, KERNELS, range(1, 5)):
        if k <= i:
            assert both(i, k, s=s) == ((i - k) // s + 1,) * 2


def test_relationship_06_zero_padding_non_unit_strides():
    for i, k, s, p in itertools.product(SIZES, KERNELS, range(1, 5), range(3)):
        if k <= i + 2 * p:
            assert both(i, k, s=s, p=p) == ((i + 2 * p - k) // s + 1,) * 2
    # different input sizes share one output size when s > 1 (i = 5 and 6 with k = 3, s = 2, p = 1)
    assert both(5, 3, s=2, p=1) == both(6, 3, s=2, p=1) == (3, 3)


# ---------------------------------------------------------------- pooling (relationship 7)
def test_relationship_07_pooling():
    for i, k, s in itertools.product(SIZES, KERNELS, range(1, 5)):
        if k <= i:
            expected = (i - k) // s + 1
            x = np.zeros((1, 1, i, i))
            assert F.max_pool2d(x, k, stride=s).shape[2:] == (expected, expected)
            assert F.avg_pool2d(x, k, stride=s).shape[2:] == (expected, expected)


# ---------------------------------------------------------------- transposed convolutions (relationships 8-14)
def test_relationship_08_transposed_no_zero_padding_unit_strides():
    for i_t, k in itertools.product(SIZES, KERNELS):
        expected = i_t + (k - 1)
        assert F.conv_transpose_output_size(i_t, k) == transpose_shape(i_t, k) == expected
        assert F.conv_output_size(expected, k) == i_t  # it goes back to the convolution's input size


def test_relationship_09_transposed_zero_padding_unit_strides():
    for i_t, k, p in itertools.product(SIZES, KERNELS, range(3)):
        expected = i_t + (k - 1) - 2 * p
        if expected >= 1:
            assert F.conv_transpose_output_size(i_t, k, padding=p) == transpose_shape(i_t, k, p=p) == expected
            assert F.conv_output_size(expected, k, padding=p) == i_t


def test_relationship_10_transposed_half_padding():
    for i_t, n in itertools.product(SIZES, range(3)):
        k = 2 * n + 1
        assert F.conv_transpose_output_size(i_t, k, padding=n) == transpose_shape(i_t, k, p=n) == i_t


def test_relationship_11_transposed_full_padding():
    for i_t, k in itertools.product(SIZES, KERNELS):
        expected = i_t - (k - 1)
        if expected >= 1:
            assert F.conv_transpose_output_size(i_t, k, padding=k - 1) == transpose_shape(i_t, k, p=k - 1) == expected


def test_relationship_12_transposed_no_zero_padding_non_unit_strides():
    for i, k, s in itertools.product(SIZES, KERNELS, range(1, 5)):
        if k <= i and (i - k) % s == 0:
            i_t = F.conv_output_size(i, k, stride=s)
            assert F.conv_transpose_output_size(i_t, k, stride=s) == transpose_shape(i_t, k, s=s) == s * (i_t - 1) + k
            assert s * (i_t - 1) + k == i


def test_relationship_13_transposed_zero_padding_non_unit_strides():
    for i, k, s, p in itertools.product(SIZES, KERNELS, range(1, 5), range(3)):
        if k <= i + 2 * p and (i + 2 * p - k) % s == 0:
            i_t = F.conv_output_size(i, k, stride=s, padding=p)
            expected = s * (i_t - 1) + k - 2 * p
            assert expected == i
            if expected >= 1:
                assert F.conv_transpose_output_size(i_t, k, stride=s, padding=p) == expected
                assert transpose_shape(i_t, k, s=s, p=p) == expected


def test_relationship_14_transposed_zero_padding_non_unit_strides_any_input_size():
    """a = (i + 2p - k) mod s extra samples (PyTorch's output_padding) recover every input size i."""
    for i, k, s, p in itertools.product(SIZES, KERNELS, range(1, 5), range(3)):
        if k <= i + 2 * p:
            a = (i + 2 * p - k) % s
            i_t = F.conv_output_size(i, k, stride=s, padding=p)
            expected = s * (i_t - 1) + a + k - 2 * p
            assert expected == i
            assert F.conv_transpose_output_size(i_t, k, stride=s, padding=p, output_padding=a) == expected
            assert transpose_shape(i_t, k, s=s, p=p, a=a) == expected
    # the example of the paper's figure: i = 6, k = 3, s = 2, p = 1 needs a = 1
    assert transpose_shape(3, 3, s=2, p=1, a=1) == 6


# ---------------------------------------------------------------- dilated convolutions (relationship 15)
def test_relationship_15_dilated_convolution():
    for i, k, s, p, d in itertools.product(SIZES, KERNELS, range(1, 4), range(3), range(1, 4)):
        k_hat = k + (k - 1) * (d - 1)  # effective kernel size
        if k_hat <= i + 2 * p:
            assert both(i, k, s=s, p=p, d=d) == ((i + 2 * p - k - (k - 1) * (d - 1)) // s + 1,) * 2
    assert both(7, 3, d=2) == (3, 3)  # the paper's figure: i = 7, k = 3, d = 2


def test_transposed_dilation_inverts_dilated_convolution():
    for i, k, s, p, d in itertools.product(SIZES, KERNELS, range(1, 4), range(3), range(1, 4)):
        if d * (k - 1) + 1 <= i + 2 * p:
            o = F.conv_output_size(i, k, stride=s, padding=p, dilation=d)
            a = (i + 2 * p - d * (k - 1) - 1) % s
            assert F.conv_transpose_output_size(o, k, stride=s, padding=p, output_padding=a, dilation=d) == i
            assert transpose_shape(o, k, s=s, p=p, a=a, d=d) == i


def test_output_size_errors():
    with pytest.raises(ValueError, match=r"kernel_size=5 with dilation=1 spans 5 samples"):
        F.conv_output_size(3, 5)
    with pytest.raises(ValueError, match=r"stride must be >= 1"):
        F.conv_output_size(3, 1, stride=0)
    with pytest.raises(ValueError, match=r"padding='same'"):
        F.conv_output_size(3, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"output_padding must be smaller"):
        F.conv_transpose_output_size(3, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"output size -1 < 1"):
        F.conv_transpose_output_size(1, 1, padding=1)


# ---------------------------------------------------------------- receptive fields
def impulse_span(layers, n_in, unit):
    """Input indices that influence output ``unit`` of a stack of 1-D all-ones convolutions (brute force)."""
    shapes = [n_in]
    for g in layers:
        shapes.append(F.conv_output_size(shapes[-1], g.kernel_size, g.stride, g.padding, g.dilation))
    grad = np.zeros((1, 1, shapes[-1]))
    grad[0, 0, unit] = 1.0
    for g, n in zip(reversed(layers), reversed(shapes[:-1]), strict=True):
        grad = F.conv1d_backward(grad, np.zeros((1, 1, n)), np.ones((1, 1, g.kernel_size)), stride=g.stride,
                                 padding=g.padding, dilation=g.dilation)[0]
    hit = np.flatnonzero(grad[0, 0])
    return int(hit.min()), int(hit.max())


STACKS = [
    [LayerGeometry(3), LayerGeometry(3)],
    [LayerGeometry(3, padding=1), LayerGeometry(2, stride=2), LayerGeometry(3, padding=1)],
    [LayerGeometry(5, stride=2, padding=2), LayerGeometry(3, stride=2, padding=1), LayerGeometry(3, padding=1)],
    [LayerGeometry(3, dilation=1), LayerGeometry(3, dilation=2), LayerGeometry(3, dilation=4)],
    [LayerGeometry(4, stride=2, padding=1), LayerGeometry(4, stride=2, padding=1, dilation=2)],
]


@pytest.mark.parametrize("layers", STACKS, ids=range(len(STACKS)))
def test_receptive_field_matches_impulse_propagation(layers):
    n_in = 64
    rfs = receptive_field(layers)
    assert len(rfs) == len(layers)
    for depth in range(1, len(layers) + 1):
        rf = rfs[depth - 1]
        n_out = n_in
        for g in layers[:depth]:
            n_out = F.conv_output_size(n_out, g.kernel_size, g.stride, g.padding, g.dilation)
        inside = 0
        for unit in range(n_out):
            first, last = rf.span(unit)
            lo, hi = impulse_span(layers[:depth], n_in, unit)
            assert first <= lo <= hi <= last  # everything that influences the unit lies in its field
            if 0 <= first and last < n_in:  # a field wholly inside the input is hit at both ends
                assert (lo, hi) == (first, last)
                inside += 1
        assert inside > 0


def test_receptive_field_known_values():
    rfs = receptive_field([LayerGeometry(3), LayerGeometry(3)])
    assert rfs == [ReceptiveField(3, 1, 0), ReceptiveField(5, 1, 0)]
    vgg_like = receptive_field([(3, 1, 1), (3, 1, 1), (2, 2), (3, 1, 1), (3, 1, 1), (2, 2)])
    assert [rf.size for rf in vgg_like] == [3, 5, 6, 10, 14, 16]
    assert [rf.jump for rf in vgg_like] == [1, 1, 2, 2, 2, 4]
    assert vgg_like[0].centre == 0.0 and vgg_like[0].start == -1
    dilated = receptive_field([LayerGeometry(3, dilation=d) for d in (1, 2, 4, 8)])
    assert [rf.size for rf in dilated] == [3, 7, 15, 31]  # exponential growth with doubling dilation


def test_receptive_field_errors():
    with pytest.raises(TypeError, match=r"layers must be a sequence"):
        receptive_field(LayerGeometry(3))
    with pytest.raises(TypeError, match=r"layers\[1\] must be a LayerGeometry"):
        receptive_field([LayerGeometry(3), "conv"])
    with pytest.raises(ValueError, match=r"stride must be >= 1"):
        LayerGeometry(3, stride=0)


# ---------------------------------------------------------------- property test (hypothesis)
@settings(max_examples=150, deadline=None)
@given(i=st.integers(1, 30), k=st.integers(1, 7), s=st.integers(1, 5), p=st.integers(0, 4), d=st.integers(1, 4))
def test_output_size_counts_window_positions(i, k, s, p, d):
    """o is the number of window starts 0, s, 2s, ... whose dilated window fits in the padded input."""
    extent = d * (k - 1) + 1
    assume(extent <= i + 2 * p)
    o = F.conv_output_size(i, k, stride=s, padding=p, dilation=d)
    assert o == len([start for start in range(0, i + 2 * p, s) if start + extent <= i + 2 * p])
    assert F.conv1d(np.zeros((1, 1, i)), np.zeros((1, 1, k)), stride=s, padding=p, dilation=d).shape[2] == o
    # the transposed convolution with output_padding a = (i + 2p - extent) mod s gives back exactly i
    a = (i + 2 * p - extent) % s
    if a < max(s, d):
        assert F.conv_transpose_output_size(o, k, stride=s, padding=p, output_padding=a, dilation=d) == i


# ---------------------------------------------------------------- the rules' one home: functional.geometry
@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 25), k=st.integers(1, 6), s=st.integers(1, 4), lo=st.integers(0, 3), hi=st.integers(0, 3),
       d=st.integers(1, 3), ceil_mode=st.booleans())
def test_geometry_output_size_counts_windows(n, k, s, lo, hi, d, ceil_mode):
    """Floor mode: window starts whose taps all lie in the padded input. Ceil mode: also the partial window
    whose last tap overshoots the padded input by less than a stride, if it starts in the input or the left
    padding (PyTorch's rule)."""
    from convlearn.nn.functional import geometry

    if ceil_mode:  # pooling's domain: symmetric padding of at most half the kernel
        hi = lo
        assume(lo <= k // 2)
    taps = [m * d for m in range(k)]
    assume(taps[-1] < n + lo + hi)
    if ceil_mode:
        expected = len([t for t in range(0, n + lo, s) if t + taps[-1] < n + lo + hi + s - 1])
    else:
        expected = len([t for t in range(0, n + lo + hi, s) if t + taps[-1] < n + lo + hi])
    assert geometry.output_size(n, k, s, lo, hi, d, ceil_mode) == expected
    assert geometry.dilated_extent(k, d) == taps[-1] + 1
    span = geometry.strided_span(n, s)  # the shortest length holding n positions s apart
    assert len(np.zeros(span)[::s]) == n and len(np.zeros(span - 1)[::s]) == n - 1


@pytest.mark.parametrize("k,d", list(itertools.product(range(1, 7), range(1, 4))))
def test_geometry_same_padding_keeps_size_and_matches_conv(k, d):
    from convlearn.nn.functional import geometry

    before, after = geometry.same_padding(k, d)
    assert before + after == d * (k - 1) and after - before in (0, 1)
    for n in range(1, 8):
        assert geometry.output_size(n, k, 1, before, after, d) == n
    x = np.arange(9.0).reshape(1, 1, 9)
    w = np.arange(1.0, k + 1).reshape(1, 1, k)
    explicit = F.conv1d(np.pad(x, ((0, 0), (0, 0), (before, after))), w, dilation=d)
    np.testing.assert_array_equal(F.conv1d(x, w, padding="same", dilation=d), explicit)


def test_geometry_output_padding_rule():
    from convlearn.nn.functional import geometry

    for a, s, d in itertools.product(range(4), range(1, 4), range(1, 4)):
        assert geometry.output_padding_ok(a, s, d) == (a < max(s, d))
    geometry.check_output_padding((1, 0), (2, 1), (1, 1))
    with pytest.raises(ValueError, match=r"output_padding must be smaller.*axis 1"):
        geometry.check_output_padding((1, 1), (2, 1), (1, 1))
