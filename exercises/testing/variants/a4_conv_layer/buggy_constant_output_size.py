"""Degenerate: conv_output_size returns 1 whatever the size, kernel, stride, padding and dilation.

loses: test_output_size
"""
# %% output_size
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return 1
