"""Runaway allocation: a 1000-times oversampled dense matrix (gigabytes); the memory limit stops it.

loses: test_matrix
"""
# %% conv_matrix
# replace:     k = np.asarray(k, dtype=float)
# with:     k = np.asarray(k, dtype=float)
# with:     fine = np.ones((1000 * (n + len(k)), 30000 * n))  # meant to be a small scratch array

# replace:     return T
# with:     return T + 0 * fine[: n + len(k) - 1, :n]
