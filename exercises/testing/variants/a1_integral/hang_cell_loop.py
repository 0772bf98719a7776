"""An experiment left at the top of the solution cell loops forever: the cell timeout stops it.

loses: test_riemann_basics, test_riemann_flip, test_riemann_accuracy, test_properties
"""
# %% riemann
x = 0.0
while x < 1.0:  # the increment was forgotten
    x * 0.1

def riemann_convolve(f, g, t, support, h):
    a, b = support
    n = max(1, int(round((b - a) / h)))
    width = (b - a) / n
    tau = a + (np.arange(n) + 0.5) * width
    t = np.asarray(t, dtype=float)
    return width * np.sum(f(tau) * g(t[..., None] - tau), axis=-1)
