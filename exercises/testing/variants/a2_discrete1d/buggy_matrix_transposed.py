"""Toeplitz matrix built along rows instead of columns: T[i, j] = k[j − i], the transpose of what is asked.

loses: test_matrix
"""
# %% conv_matrix
def convolution_matrix(k, n):
    k = np.asarray(k, dtype=float)
    T = np.zeros((n, n + len(k) - 1))
    for i in range(n):
        T[i, i:i + len(k)] = k
    return T
