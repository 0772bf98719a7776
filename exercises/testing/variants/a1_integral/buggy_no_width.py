"""Forgets the factor h: returns the plain sum of the samples, 1/h times too large.

loses: test_riemann_basics, test_riemann_flip, test_riemann_accuracy, test_properties
"""
# %% riemann
# replace:     width = (b - a) / n
# replace:     tau = a + (np.arange(n) + 0.5) * width
# with:     tau = a + (np.arange(n) + 0.5) * (b - a) / n

# replace:     return width * np.sum(f(tau) * g(t[..., None] - tau), axis=-1)
# with:     return np.sum(f(tau) * g(t[..., None] - tau), axis=-1)
