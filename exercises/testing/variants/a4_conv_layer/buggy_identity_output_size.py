"""Degenerate: conv_output_size returns its input size (as if every convolution kept the size).

loses: test_output_size
"""
# %% output_size
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return size
