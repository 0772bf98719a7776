"""Rounds (instead of flooring) the number of positions when the stride does not divide the input.

loses: test_output_size, test_conv_stride
"""
# %% output_size
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return int(round((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride)) + 1
