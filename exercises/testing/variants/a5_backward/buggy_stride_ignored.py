"""Stride ignored in the backward pass: windows scattered at (i, j) instead of (i·s, j·s).

loses: test_grad_stride_padding
"""
# %% conv_backward
# replace:     (sh, sw), (ph, pw) = as_pair(stride), as_pair(padding)
# with:     _, (ph, pw) = as_pair(stride), as_pair(padding)  # stride forgotten below

# replace:             r0, c0 = i * sh, j * sw
# with:             r0, c0 = i, j
