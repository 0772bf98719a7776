"""Degenerate: convolve_full returns zeros of the right length.

loses: test_full, test_modes
"""
# %% conv_full
def convolve_full(x, k):
    return np.zeros(len(x) + len(k) - 1)
