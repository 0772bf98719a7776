"""Calls convlearn.nn.functional.conv2d instead of computing the sums.

loses: test_conv_channels, test_conv_bias, test_conv_padding, test_conv_stride, test_conv_dilation
"""
# %% conv2d
from convlearn.nn import functional as F


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    return F.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation)
