"""Off by one: n = int((b − a)/h) truncates 2.9999… to 2 and drops the last piece of the support.

loses: test_riemann_accuracy
"""
# %% riemann
def riemann_convolve(f, g, t, support, h):
    a, b = support
    n = int((b - a) / h)
    tau = a + (np.arange(n) + 0.5) * h
    t = np.asarray(t, dtype=float)
    return h * np.sum(f(tau) * g(t[..., None] - tau), axis=-1)
