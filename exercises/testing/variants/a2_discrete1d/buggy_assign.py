"""`=` instead of `+=`: each output keeps only the last product written to it.

loses: test_full
"""
# %% conv_full
def convolve_full(x, k):
    x = np.asarray(x, dtype=float)
    k = np.asarray(k, dtype=float)
    y = np.zeros(len(x) + len(k) - 1)
    for i in range(len(x)):
        for j in range(len(k)):
            y[i + j] = x[i] * k[j]
    return y
