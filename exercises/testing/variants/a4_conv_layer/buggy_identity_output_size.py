"""Degenerate: conv_output_size returns its input size (as if every convolution kept the size).

loses: test_output_size, test_conv_channels, test_conv_bias, test_conv_padding, test_conv_stride, test_conv_dilation, test_conv_dtype
"""  # noqa: E501 - the loses line names every cell
# %% output_size
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return size
