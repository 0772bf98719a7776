"""Infinite loop: a while loop over output rows advances by stride // 2, which is 0 for stride 1.

loses: test_conv_channels, test_conv_bias, test_conv_padding
"""
# %% conv2d
# replace:     for i in range(h_out):
# with:     r0 = 0
# with:     while r0 + dh * (kh - 1) < xp.shape[2]:
# with:         i = r0 // sh
# with:         r0 += sh // 2

# replace:             r0, c0 = i * sh, j * sw
# with:             c0 = j * sw
