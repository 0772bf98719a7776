"""Degenerate: riemann_convolve returns zeros of the shape of t, whatever f and g are.

loses: test_riemann_basics, test_riemann_flip, test_riemann_accuracy, test_properties
"""
# %% riemann
def riemann_convolve(f, g, t, support, h):
    return np.zeros(np.shape(t))
