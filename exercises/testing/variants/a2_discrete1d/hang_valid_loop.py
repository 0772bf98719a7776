"""Infinite loop: a while loop whose index never advances in 'valid' mode; the 10 s case limit stops it.

loses: test_modes
"""
# %% conv_modes
def convolve(x, k, mode="full"):
    if mode not in ("full", "same", "valid"):
        raise ValueError(mode)
    y = convolve_full(x, k)
    long, short = max(len(x), len(k)), min(len(x), len(k))
    if mode == "full":
        return y
    if mode == "same":
        start = (short - 1) // 2
        return y[start:start + long]
    out = []
    n = short - 1
    while n < long:
        out.append(y[n])
    return np.array(out)
