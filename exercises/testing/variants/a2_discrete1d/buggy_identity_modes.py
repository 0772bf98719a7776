"""Degenerate: convolve returns its input x in every mode (unknown modes still raise ValueError).

loses: test_modes
"""
# %% conv_modes
def convolve(x, k, mode="full"):
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"unknown mode {mode!r}")
    return np.asarray(x, dtype=float)
