"""Builds the matrix with scipy.linalg.toeplitz instead of writing it.

loses: test_matrix
"""
# %% conv_matrix
import scipy.linalg


def convolution_matrix(k, n):
    k = np.asarray(k, dtype=float)
    col = np.concatenate([k, np.zeros(n - 1)])
    row = np.zeros(n)
    row[0] = k[0]
    return scipy.linalg.toeplitz(col, row)
