"""Reach numpy.convolve through a name built at run time (getattr with a computed string, __import__).

expect: 0
"""
# %% conv_full
import numpy as np


def convolve_full(x, k):
    f = getattr(__import__("nu" + "mpy"), "con" + "volve")
    return f(np.asarray(x, float), np.asarray(k, float))
