"""Calls numpy.convolve through an alias imported in the solution cell (the grader blocks the alias too).

loses: test_full, test_modes
"""
# %% conv_full
from numpy import convolve as np_conv


def convolve_full(x, k):
    return np_conv(np.asarray(x, dtype=float), np.asarray(k, dtype=float))
