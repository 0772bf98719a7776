"""Bad input to convlearn.nn.functional: a clear ValueError/TypeError naming the argument and the shapes."""

from __future__ import annotations

import numpy as np
import pytest

import convlearn.nn.functional as F

X = np.arange(2 * 4 * 6 * 6, dtype=float).reshape(2, 4, 6, 6)
W = np.ones((3, 4, 3, 3))


def test_wrong_ndim_of_x():
    with pytest.raises(ValueError, match=r"x must be 4-D \(N, C, H, W\).*shape \(4, 6, 6\)"):
        F.conv2d(X[0], W)
    with pytest.raises(ValueError, match=r"x must be 3-D"):
        F.conv1d(X, W)
    with pytest.raises(ValueError, match=r"x must be 5-D"):
        F.conv3d(X, W)
    with pytest.raises(ValueError, match=r"x must be 4-D"):
        F.max_pool2d(X[0], 2)


def test_wrong_ndim_of_weight():
    with pytest.raises(ValueError, match=r"weight must be 4-D.*shape \(3, 4, 3\)"):
        F.conv2d(X, W[..., 0])


def test_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match=r"C_in=4.*shape \(2, 4, 6, 6\).*groups=3"):
        F.conv2d(X, np.ones((3, 1, 3, 3)), groups=3)
    with pytest.raises(ValueError, match=r"C_out=3.*shape \(3, 2, 3, 3\).*groups=2"):
        F.conv2d(X, np.ones((3, 2, 3, 3)), groups=2)


def test_weight_input_channel_mismatch():
    with pytest.raises(ValueError, match=r"weight with shape \(3, 2, 3, 3\).*x with shape \(2, 4, 6, 6\) has C_in=4"):
        F.conv2d(X, np.ones((3, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"weight with shape \(3, 2, 3, 3\).*C_in = 4"):
        F.conv_transpose2d(X, np.ones((3, 2, 3, 3)))


def test_bias_of_wrong_shape():
    with pytest.raises(ValueError, match=r"bias must have shape \(3,\).*got shape \(4,\)"):
        F.conv2d(X, W, np.zeros(4))
    with pytest.raises(ValueError, match=r"bias must have shape \(3,\).*got shape \(3, 1\)"):
        F.conv2d(X, W, np.zeros((3, 1)))


def test_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"kernel size \(7, 7\).*padded input 6 \+ 0 \+ 0 = 6.*\(2, 4, 6, 6\)"):
        F.conv2d(X, np.ones((3, 4, 7, 7)))
    F.conv2d(X, np.ones((3, 4, 7, 7)), padding=1)  # fits once padded


def test_dilated_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"dilation \(3, 3\) spans 7 samples"):
        F.conv2d(X, W, dilation=3)


@pytest.mark.parametrize("name", ["stride", "dilation"])
def test_stride_and_dilation_at_least_one(name):
    with pytest.raises(ValueError, match=rf"{name} must be >= 1"):
        F.conv2d(X, W, **{name: 0})
    with pytest.raises(ValueError, match=rf"{name} must be >= 1"):
        F.conv2d(X, W, **{name: (1, -1)})


def test_negative_padding():
    with pytest.raises(ValueError, match=r"padding must be >= 0"):
        F.conv2d(X, W, padding=-1)
    with pytest.raises(ValueError, match=r"padding must be >= 0"):
        F.avg_pool2d(X, 2, padding=(0, -1))


def test_unknown_padding_string():
    with pytest.raises(ValueError, match=r"padding must be one of 'valid', 'same'; got 'full'"):
        F.conv2d(X, W, padding="full")


def test_same_padding_with_stride():
    with pytest.raises(ValueError, match=r"padding='same'.*stride=\(2, 1\)"):
        F.conv2d(X, W, padding="same", stride=(2, 1))


def test_tuple_of_wrong_length():
    with pytest.raises(ValueError, match=r"stride must be an int or a tuple of 2 ints"):
        F.conv2d(X, W, stride=(1, 1, 1))


def test_complex_input():
    with pytest.raises(TypeError, match=r"x must be real, got complex"):
        F.conv2d(X + 1j, W)
    with pytest.raises(TypeError, match=r"weight must be real"):
        F.conv2d(X, W + 0j)


def test_non_numeric_input():
    with pytest.raises(TypeError, match=r"x must be a real numeric array"):
        F.conv2d(np.full((1, 4, 6, 6), "a"), W)
    with pytest.raises(TypeError, match=r"stride must be an int or a tuple of 2 ints, got .2."):
        F.conv2d(X, W, stride="2")


def test_empty_arrays():
    with pytest.raises(ValueError, match=r"x must not be empty, got shape \(0, 4, 6, 6\)"):
        F.conv2d(np.zeros((0, 4, 6, 6)), W)
    with pytest.raises(ValueError, match=r"weight must not be empty"):
        F.conv2d(X, np.zeros((0, 4, 3, 3)))


def test_nan_sizes():
    with pytest.raises(ValueError, match=r"stride must be a finite integer"):
        F.conv2d(X, W, stride=float("nan"))
    with pytest.raises(ValueError, match=r"size must be a finite integer"):
        F.conv_output_size(float("nan"), 3)
    with pytest.raises(ValueError, match=r"kernel_size must be a finite integer"):
        F.max_pool2d(X, float("nan"))


def test_non_integer_sizes():
    with pytest.raises(TypeError, match=r"padding must be an integer, got 1.5"):
        F.conv2d(X, W, padding=1.5)


def test_grad_out_shape_must_match_forward_output():
    with pytest.raises(ValueError, match=r"grad_out must have the shape of the conv2d output, \(2, 3, 4, 4\)"):
        F.conv2d_backward(np.ones((2, 3, 5, 5)), X, W)
    with pytest.raises(ValueError, match=r"grad_out must have the shape of the max_pool2d output, \(2, 4, 3, 3\)"):
        F.max_pool2d_backward(np.ones((2, 4, 2, 2)), X, 2)
    with pytest.raises(ValueError, match=r"grad_out must have the shape of the avg_pool2d output"):
        F.avg_pool2d_backward(np.ones((2, 4, 2, 2)), X, 2)
    with pytest.raises(ValueError, match=r"grad_out must have the shape of the conv_transpose2d output"):
        F.conv_transpose2d_backward(np.ones((2, 3, 5, 5)), X, np.ones((4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"grad_out must be 4-D"):
        F.conv2d_backward(np.ones((2, 3, 4)), X, W)


def test_pool_padding_at_most_half_the_kernel():
    with pytest.raises(ValueError, match=r"padding must be at most half the kernel size.*padding=\(2, 2\).*\(3, 3\)"):
        F.max_pool2d(X, 3, padding=2)
    with pytest.raises(ValueError, match=r"avg_pool2d: padding must be at most half"):
        F.avg_pool2d(X, (2, 4), padding=(2, 0))
    F.max_pool2d(X, 4, padding=2)  # p == k // 2 is allowed


def test_pool_output_too_small():
    with pytest.raises(ValueError, match=r"too small.*output size would be"):
        F.max_pool2d(X, 7)


def test_transposed_output_padding_must_be_small():
    with pytest.raises(ValueError, match=r"output_padding must be smaller than either stride or dilation"):
        F.conv_transpose2d(X, np.ones((4, 2, 3, 3)), stride=2, output_padding=2)


def test_transposed_padding_too_large():
    with pytest.raises(ValueError, match=r"would have output size"):
        F.conv_transpose2d(X[:, :, :1, :1], np.ones((4, 2, 1, 1)), padding=1)


def test_col2im_checks_cols_shape():
    with pytest.raises(ValueError, match=r"cols must have shape .* = \(2, 36, 16\).*got shape \(2, 36, 15\)"):
        F.col2im(np.ones((2, 36, 15)), X.shape, 3)


@pytest.mark.parametrize("value", ["False", None, 0])
def test_pool_flags_must_be_bools(value):
    with pytest.raises(TypeError, match=r"count_include_pad must be a bool"):
        F.avg_pool2d(X, 2, count_include_pad=value)
    with pytest.raises(TypeError, match=r"count_include_pad must be a bool"):
        F.avg_pool2d_backward(np.ones((2, 4, 3, 3)), X, 2, count_include_pad=value)
    with pytest.raises(TypeError, match=r"ceil_mode must be a bool"):
        F.max_pool2d(X, 2, ceil_mode=value)
