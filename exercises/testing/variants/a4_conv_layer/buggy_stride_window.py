"""Stride ignored when placing the window: starts at (i, j) instead of (i·s, j·s).

loses: test_conv_stride
"""
# %% conv2d
# replace:             r0, c0 = i * sh, j * sw
# with:             r0, c0 = i, j
