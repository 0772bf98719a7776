"""Off by one in 'valid': keeps H − k_H rows and W − k_W columns, dropping the last full overlap.

loses: test_conv2d
"""
# %% conv2d
# replace:     if mode not in ("full", "same", "valid"):
# replace:         raise ValueError(f"unknown mode {mode!r}")

# replace:         return full[kH - 1:H, kW - 1:W]
# with:         return full[kH - 1:H - 1, kW - 1:W - 1]
