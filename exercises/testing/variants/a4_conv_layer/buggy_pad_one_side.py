"""Pads only after the image (bottom/right) with 2p zeros instead of p on each side.

loses: test_conv_padding
"""
# %% conv2d
# replace:     xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
# with:     xp = np.pad(x, ((0, 0), (0, 0), (0, 2 * ph), (0, 2 * pw)))
