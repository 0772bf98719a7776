"""No flip: evaluates g(τ − t) instead of g(t − τ); invisible with symmetric g, wrong for exp * step.

loses: test_riemann_flip
"""
# %% riemann
def riemann_convolve(f, g, t, support, h):
    a, b = support
    n = max(1, int(round((b - a) / h)))
    width = (b - a) / n
    tau = a + (np.arange(n) + 0.5) * width
    t = np.asarray(t, dtype=float)
    return width * np.sum(f(tau) * g(tau - t[..., None]), axis=-1)
