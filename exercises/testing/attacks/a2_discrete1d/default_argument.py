"""Keep numpy.convolve from before the block as a default argument, and through a module-level alias.

expect: 0
"""
# %% conv_full
import numpy as np

_cv = np.convolve


def convolve_full(x, k, _c=np.convolve):
    return _c(np.asarray(x, float), np.asarray(k, float))


# %% conv_modes
def convolve(x, k, mode="full"):
    return _cv(np.asarray(x, float), np.asarray(k, float), mode)


# %% correlate
from numpy import correlate as _corr


def correlate_valid(x, k):
    if len(k) > len(x):
        raise ValueError("k longer than x")
    return _corr(np.asarray(x, float), np.asarray(k, float), "valid")
