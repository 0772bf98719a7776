"""Degenerate: riemann_convolve returns its input t (as floats) instead of (f*g)(t).

loses: test_riemann_basics, test_riemann_flip, test_riemann_accuracy, test_properties
"""
# %% riemann
def riemann_convolve(f, g, t, support, h):
    return np.asarray(t, dtype=float)
