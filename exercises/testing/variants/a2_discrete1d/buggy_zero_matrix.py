"""Degenerate: convolution_matrix returns a zero matrix of the right shape.

loses: test_matrix
"""
# %% conv_matrix
def convolution_matrix(k, n):
    return np.zeros((n + len(k) - 1, n))
