"""No flip: adds x[i + j]·k[j] (a correlation) instead of x[i]·k[j] at i + j.

loses: test_full
"""
# %% conv_full
def convolve_full(x, k):
    x = np.asarray(x, dtype=float)
    k = np.asarray(k, dtype=float)
    y = np.zeros(len(x) + len(k) - 1)
    xp = np.concatenate([np.zeros(len(k) - 1), x, np.zeros(len(k) - 1)])
    for n in range(len(y)):
        for j in range(len(k)):
            y[n] += xp[n + j] * k[j]
    return y
