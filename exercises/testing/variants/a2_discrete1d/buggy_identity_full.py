"""Degenerate: convolve_full returns its input x (as floats).

loses: test_full, test_modes
"""
# %% conv_full
def convolve_full(x, k):
    return np.asarray(x, dtype=float)
