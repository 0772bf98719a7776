"""Dilated window cut to k pixels instead of d(k − 1) + 1: too few taps.

loses: test_conv_dilation
"""
# %% conv2d
# replace:             window = xp[:, :, r0:r0 + dh * (kh - 1) + 1:dh, c0:c0 + dw * (kw - 1) + 1:dw]
# with:             window = xp[:, :, r0:r0 + kh:dh, c0:c0 + kw:dw]
