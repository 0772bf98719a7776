"""Uses the first entry of a pair stride for both axes.

loses: test_conv_stride
"""
# %% conv2d
# replace:     (sh, sw), (ph, pw), (dh, dw) = as_pair(stride), as_pair(padding), as_pair(dilation)
# with:     (sh, sw), (ph, pw), (dh, dw) = (as_pair(stride)[0],) * 2, as_pair(padding), as_pair(dilation)
