"""Degenerate: correlate_valid returns the first len(x) − len(k) + 1 entries of its input x.

loses: test_correlate
"""
# %% correlate
def correlate_valid(x, k):
    if len(k) > len(x):
        raise ValueError("k must not be longer than x")
    return np.asarray(x, dtype=float)[:len(x) - len(k) + 1]
