"""Degenerate: centred_sum returns the pixel I(i, j) itself, ignoring the kernel.

loses: test_centred, test_same, test_kernels
"""
# %% centred
def centred_sum(I, K, i, j):
    return float(np.asarray(I, dtype=float)[i, j])
