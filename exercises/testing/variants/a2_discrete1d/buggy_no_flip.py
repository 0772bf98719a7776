"""No flip: adds x[i + j]·k[j] (a correlation) instead of x[i]·k[j] at i + j.

loses: test_full
"""
# %% conv_full
# replace:     for i in range(len(x)):
# with:     xp = np.concatenate([np.zeros(len(k) - 1), x, np.zeros(len(k) - 1)])
# with:     for n in range(len(y)):

# replace:             y[i + j] += x[i] * k[j]
# with:             y[n] += xp[n + j] * k[j]
