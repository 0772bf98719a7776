"""Class 2: a module the submission writes (with %%writefile, or with open()) and then imports: its code was
never scanned. The %%writefile cell is not run (refused, with the reason in its output); a written module
cannot be imported from the working directory, and importing a module that is not installed is dynamic.

expect: 0
"""
# %% conv_full
#ipython: %%writefile helper_conv.py
import numpy


def full(x, k, _c=numpy.convolve):
    return _c(x, k)

# %% conv_modes
import numpy as np

with open("helper_modes.py", "w") as fh:
    fh.write("import numpy\n\n\ndef same(x, k, mode, _c=numpy.convolve):\n    return _c(x, k, mode)\n")
import helper_conv  # noqa: E402
import helper_modes  # noqa: E402


def convolve_full(x, k):
    return helper_conv.full(np.asarray(x, float), np.asarray(k, float))


def convolve(x, k, mode="full"):
    return helper_modes.same(np.asarray(x, float), np.asarray(k, float), mode)
