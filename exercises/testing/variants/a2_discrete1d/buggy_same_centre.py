"""Off-centre 'same': starts at S // 2 instead of (S − 1) // 2, wrong for even kernel lengths.

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
        start = short // 2
        return y[start:start + long]
    return y[short - 1:long]
