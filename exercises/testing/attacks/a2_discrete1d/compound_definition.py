"""Class 2b: definitions inside a top-level try/if/with were filed under "top level", never attributed to the
student's function (the common `try: import scipy.signal` idiom); with the library routine kept in a default
argument, which the run-time block did not reach either, this scored full marks.

expect: 0
"""
# %% conv_full
import contextlib

import numpy as np

try:
    import scipy.signal as ss
except ImportError:
    ss = None

if ss is not None:
    def convolve_full(x, k, _c=ss.fftconvolve):
        return _c(np.asarray(x, float), np.asarray(k, float))

with contextlib.suppress(Exception):
    def convolve(x, k, mode="full", _c=np.convolve):
        return _c(np.asarray(x, float), np.asarray(k, float), mode)
