"""A correct convolve_full, then a cell that exits the kernel; and a convolve that kills the kernel when called.

expect: test_full=3
"""
# %% conv_full
import numpy as np


def convolve_full(x, k):
    x = np.asarray(x, dtype=float)
    k = np.asarray(k, dtype=float)
    y = np.zeros(len(x) + len(k) - 1)
    for i in range(len(x)):
        y[i:i + len(k)] += x[i] * k
    return y


# %% conv_modes
import os


def convolve(x, k, mode="full"):
    os._exit(3)


# %% conv_matrix
import os

os._exit(0)
