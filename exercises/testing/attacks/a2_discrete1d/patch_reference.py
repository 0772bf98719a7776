"""Make the reference functions return what the student returns (zeros), and numpy.abs/allclose lie.

expect: 0
"""
# %% conv_full
import numpy as np
import convlearn.signal
import convlearn.nn.functional

convlearn.signal.convolve1d = lambda x, k, mode="full": np.zeros(len(x) + len(k) - 1)
convlearn.signal.correlate1d = lambda x, k, mode="valid": np.zeros(len(x) - len(k) + 1)
convlearn.signal.convolution_matrix_1d = lambda k, n, mode="full": np.zeros((n + len(k) - 1, n))
np.abs = lambda x: np.zeros_like(np.asarray(x, dtype=float))
np.allclose = lambda *a, **k: True


def convolve_full(x, k):
    return np.zeros(len(x) + len(k) - 1)
