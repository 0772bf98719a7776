"""'same' cropped from k // 2 instead of (k − 1) // 2: right for odd kernels, shifted by one for even ones.

loses: test_conv2d
"""
# %% conv2d
# replace:     if mode not in ("full", "same", "valid"):
# replace:         raise ValueError(f"unknown mode {mode!r}")

# replace:     r, c = (kH - 1) // 2, (kW - 1) // 2
# with:     r, c = kH // 2, kW // 2
