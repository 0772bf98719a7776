"""Exhaust resources: a fork bomb, a 40 GB allocation, filling the disk; a correct correlate_valid survives.

expect: test_correlate=2
"""
# %% conv_full
import os


def convolve_full(x, k):
    for _ in range(10_000):
        try:
            os.fork()
        except OSError:
            break
    raise NotImplementedError


# %% conv_modes
import numpy as np


def convolve(x, k, mode="full"):
    big = np.ones((5_000_000_000,))
    return big


try:
    with open("/tmp/fill", "wb") as fh:
        for _ in range(4096):
            fh.write(b"\0" * (1 << 20))
except OSError as exc:
    print("disk:", exc)

# %% correlate
import numpy as np


def correlate_valid(x, k):
    x = np.asarray(x, dtype=float)
    k = np.asarray(k, dtype=float)
    if len(k) > len(x):
        raise ValueError("k is longer than x")
    return np.array([x[n:n + len(k)] @ k for n in range(len(x) - len(k) + 1)])
