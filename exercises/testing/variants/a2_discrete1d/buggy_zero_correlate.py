"""Degenerate: correlate_valid returns zeros of the right length (a too long kernel still raises ValueError).

loses: test_correlate
"""
# %% correlate
def correlate_valid(x, k):
    if len(k) > len(x):
        raise ValueError("k must not be longer than x")
    return np.zeros(len(x) - len(k) + 1)
