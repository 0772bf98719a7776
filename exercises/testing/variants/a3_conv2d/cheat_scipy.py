"""Calls scipy.signal.convolve2d instead of implementing the sum.

loses: test_conv2d
"""
# %% conv2d
import scipy.signal


def convolve2d(I, K, mode="full"):
    return scipy.signal.convolve2d(I, K, mode=mode)
