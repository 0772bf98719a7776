"""Degenerate: shifted(f, s) returns f itself, not moved at all.

loses: test_helpers, test_properties
"""
# %% helpers
def integral(f, support, h):
    a, b = support
    n = max(1, int(round((b - a) / h)))
    width = (b - a) / n
    return width * np.sum(f(a + (np.arange(n) + 0.5) * width))


def shifted(f, s):
    return f
