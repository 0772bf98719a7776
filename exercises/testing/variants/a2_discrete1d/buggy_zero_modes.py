"""Degenerate: convolve returns zeros of the length of each mode (unknown modes still raise ValueError).

loses: test_modes
"""
# %% conv_modes
def convolve(x, k, mode="full"):
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"unknown mode {mode!r}")
    long, short = max(len(x), len(k)), min(len(x), len(k))
    return np.zeros({"full": long + short - 1, "same": long, "valid": long - short + 1}[mode])
