"""Class 2c: numpy.convolve taken through the module's __dict__ (a subscript, not an attribute) and kept in a
closure, where the run-time block (which patched module attributes and names) did not reach.

expect: 0
"""
# %% conv_full
import numpy as np


def _make():
    library = np.__dict__["convolve"]
    return lambda x, k: library(np.asarray(x, float), np.asarray(k, float))


convolve_full = _make()
