"""Flood the output with about 200 MB from one solution cell; a correct convolve_full in another cell survives.

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
import sys

line = "x" * 10_000 + "\n"
for _ in range(20_000):
    sys.stdout.write(line)
