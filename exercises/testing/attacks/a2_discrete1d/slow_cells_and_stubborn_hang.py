"""Class 4c: slow cells plus a function that hangs and ignores interrupts: each timed-out check restarted the
kernel and replayed every slow cell with the full cell limit (223 s against 10 s for an honest submission).
An honest convolve_full keeps its points; the hanging parts lose theirs. A function that ignored the interrupt
costs one new kernel: the grader does not call it again.

expect: test_full=3
shows: not run: convolve ignored the interrupt in an earlier check; the grader does not call it again
"""
# %% conv_full
import time

import numpy as np

time.sleep(4)


def convolve_full(x, k):
    x, k = np.asarray(x, float), np.asarray(k, float)
    out = np.zeros(len(x) + len(k) - 1)
    for i, xi in enumerate(x):
        out[i:i + len(k)] += xi * k
    return out


# %% conv_modes
import time


def _spin():
    while True:
        try:
            while True:
                pass
        except BaseException:  # swallows the grader's interrupt
            continue


def convolve(x, k, mode="full"):
    _spin()


time.sleep(4)

# %% correlate
def correlate_valid(x, k):
    return convolve(x, k, "valid")
