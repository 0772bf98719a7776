"""Degenerate: correlate_same returns zeros of the image's shape.

loses: test_same, test_kernels
"""
# %% same
def correlate_same(I, K):
    return np.zeros(np.shape(I))
