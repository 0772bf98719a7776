"""Off-centre 'same': starts at S // 2 instead of (S − 1) // 2, wrong for even kernel lengths.

loses: test_modes
"""
# %% conv_modes
# replace:         raise ValueError(f"mode must be 'full', 'same' or 'valid', got {mode!r}")
# with:         raise ValueError(mode)

# replace:         start = (short - 1) // 2
# with:         start = short // 2
