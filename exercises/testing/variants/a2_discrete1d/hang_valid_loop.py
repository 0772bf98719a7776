"""Infinite loop: a while loop whose index never advances in 'valid' mode; the 10 s case limit stops it.

loses: test_modes
"""
# %% conv_modes
# replace:         raise ValueError(f"mode must be 'full', 'same' or 'valid', got {mode!r}")
# with:         raise ValueError(mode)

# replace:     return y[short - 1:long]
# with:     out = []
# with:     n = short - 1
# with:     while n < long:
# with:         out.append(y[n])
# with:     return np.array(out)
