"""Degenerate: centred_sum returns 0.0 at every pixel.

loses: test_centred, test_same, test_kernels
"""
# %% centred
def centred_sum(I, K, i, j):
    return 0.0
