"""Uses len(x) and len(k) instead of the longer and shorter length: wrong when the kernel is longer.

loses: test_modes
"""
# %% conv_modes
# replace:         raise ValueError(f"mode must be 'full', 'same' or 'valid', got {mode!r}")
# with:         raise ValueError(mode)

# replace:     long, short = max(len(x), len(k)), min(len(x), len(k))

# replace:         start = (short - 1) // 2
# replace:         return y[start:start + long]
# replace:     return y[short - 1:long]
# with:         start = (len(k) - 1) // 2
# with:         return y[start:start + len(x)]
# with:     return y[len(k) - 1:len(x)]
