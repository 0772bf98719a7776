"""Runaway allocation: a 1000-times oversampled dense matrix (gigabytes); the memory limit stops it.

loses: test_matrix
"""
# %% conv_matrix
def convolution_matrix(k, n):
    k = np.asarray(k, dtype=float)
    fine = np.ones((1000 * (n + len(k)), 30000 * n))  # meant to be a small scratch array
    T = np.zeros((n + len(k) - 1, n))
    for j in range(n):
        T[j:j + len(k), j] = k
    return T + 0 * fine[: n + len(k) - 1, :n]
