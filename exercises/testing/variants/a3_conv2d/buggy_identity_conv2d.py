"""Degenerate: convolve2d returns the image itself (as floats) in every mode.

loses: test_conv2d
"""
# %% conv2d
def convolve2d(I, K, mode="full"):
    return np.asarray(I, dtype=float)
