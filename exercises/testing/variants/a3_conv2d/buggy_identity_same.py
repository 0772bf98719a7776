"""Degenerate: correlate_same returns the image itself (as floats), ignoring the kernel.

loses: test_same, test_kernels
"""
# %% same
def correlate_same(I, K):
    return np.asarray(I, dtype=float)
