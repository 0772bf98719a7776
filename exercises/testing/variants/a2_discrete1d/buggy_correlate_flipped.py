"""Correlation that flips the kernel (a convolution): c[n] = Σ x[n + m] k[M − 1 − m].

loses: test_correlate
"""
# %% correlate
def correlate_valid(x, k):
    x = np.asarray(x, dtype=float)
    k = np.asarray(k, dtype=float)
    if len(k) > len(x):
        raise ValueError("k longer than x")
    c = np.zeros(len(x) - len(k) + 1)
    for n in range(len(c)):
        for m in range(len(k)):
            c[n] += x[n + m] * k[len(k) - 1 - m]
    return c
