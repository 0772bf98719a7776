"""Forgets the factor h: returns the plain sum of the samples, 1/h times too large.

loses: test_riemann_basics, test_riemann_flip, test_riemann_accuracy, test_properties
"""
# %% riemann
def riemann_convolve(f, g, t, support, h):
    a, b = support
    n = max(1, int(round((b - a) / h)))
    tau = a + (np.arange(n) + 0.5) * (b - a) / n
    t = np.asarray(t, dtype=float)
    return np.sum(f(tau) * g(t[..., None] - tau), axis=-1)
