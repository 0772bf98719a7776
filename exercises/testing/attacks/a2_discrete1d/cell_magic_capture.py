"""Class 2a: a cell that starts with a cell magic becomes run_cell_magic('capture', '', '<the cell>'), whose
body the source check never parsed: numpy.convolve kept as a default argument.

expect: 0
"""
# %% conv_full
#ipython: %%capture
import numpy as np


def convolve_full(x, k, _c=np.convolve):
    return _c(np.asarray(x, float), np.asarray(k, float))
