"""Degenerate: conv2d returns its input x, whatever the weight.

loses: test_conv_channels, test_conv_bias, test_conv_padding, test_conv_stride, test_conv_dilation, test_conv_dtype
"""
# %% conv2d
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    return np.asarray(x)
