"""Only handles 1-d t: loops over t and returns a 1-d list, so 0-d and 2-d t give the wrong shape.

loses: test_riemann_basics
"""
# %% riemann
# replace:     t = np.asarray(t, dtype=float)
# replace:     return width * np.sum(f(tau) * g(t[..., None] - tau), axis=-1)
# with:     return np.array([width * np.sum(f(tau) * g(ti - tau)) for ti in np.atleast_1d(t).ravel()])
