"""Class 2: library routines stored in a container by a top-level statement (tools.update(...)) and by a
function that stores into a global, used from the graded functions.

expect: 0
"""
# %% conv_full
import numpy as np

TOOLS = {}
TOOLS.update(full=np.convolve)
REGISTRY = {}


def _register(name, routine):
    REGISTRY[name] = routine


_register("corr", np.correlate)


def convolve_full(x, k):
    return TOOLS["full"](np.asarray(x, float), np.asarray(k, float))


# %% correlate
def correlate_valid(x, k):
    return REGISTRY["corr"](np.asarray(x, float), np.asarray(k, float), "valid")
