"""Convolution without the flip: slides the kernel as in a correlation.

loses: test_conv2d
"""
# %% conv2d
# replace:     if mode not in ("full", "same", "valid"):
# replace:         raise ValueError(f"unknown mode {mode!r}")

# replace:             full[i:i + kH, j:j + kW] += I[i, j] * K
# with:             full[i:i + kH, j:j + kW] += I[i, j] * K[::-1, ::-1]
