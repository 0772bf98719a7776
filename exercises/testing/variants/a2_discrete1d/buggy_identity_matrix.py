"""Degenerate: convolution_matrix returns the identity (ones on the main diagonal) of the right shape.

loses: test_matrix
"""
# %% conv_matrix
def convolution_matrix(k, n):
    return np.eye(n + len(k) - 1, n)
