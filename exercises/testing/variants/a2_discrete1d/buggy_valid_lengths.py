"""Uses len(x) and len(k) instead of the longer and shorter length: wrong when the kernel is longer.

loses: test_modes
"""
# %% conv_modes
def convolve(x, k, mode="full"):
    if mode not in ("full", "same", "valid"):
        raise ValueError(mode)
    y = convolve_full(x, k)
    if mode == "full":
        return y
    if mode == "same":
        start = (len(k) - 1) // 2
        return y[start:start + len(x)]
    return y[len(k) - 1:len(x)]
