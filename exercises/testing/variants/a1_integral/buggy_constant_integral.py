"""Degenerate: integral returns 1.0 for every function (right for densities only).

loses: test_helpers, test_properties
"""
# %% helpers
def integral(f, support, h):
    return 1.0


def shifted(f, s):
    return lambda x: f(np.asarray(x, dtype=float) - s)
