"""Class 4d: the sandbox's memory limit was per process, so a submission that forks held 8 GB. Children that
allocate past the sandbox's total are stopped; the honest convolve_full keeps its points.

expect: test_full=3
"""
# %% conv_full
import os
import time

import numpy as np

children = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        try:
            hoard = [np.ones(256 << 20, dtype=np.uint8) for _ in range(6)]
            time.sleep(30)
        finally:
            os._exit(0)
    children.append(pid)
time.sleep(3)


def convolve_full(x, k):
    x, k = np.asarray(x, float), np.asarray(k, float)
    out = np.zeros(len(x) + len(k) - 1)
    for i, xi in enumerate(x):
        out[i:i + len(k)] += xi * k
    return out
