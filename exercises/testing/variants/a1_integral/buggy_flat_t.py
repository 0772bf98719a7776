"""Only handles 1-d t: loops over t and returns a 1-d list, so 0-d and 2-d t give the wrong shape.

loses: test_riemann_basics
"""
# %% riemann
def riemann_convolve(f, g, t, support, h):
    a, b = support
    n = max(1, int(round((b - a) / h)))
    width = (b - a) / n
    tau = a + (np.arange(n) + 0.5) * width
    return np.array([width * np.sum(f(tau) * g(ti - tau)) for ti in np.atleast_1d(t).ravel()])
