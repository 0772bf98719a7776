"""Degenerate: convolve2d returns zeros of the right shape for each mode.

loses: test_conv2d
"""
# %% conv2d
def convolve2d(I, K, mode="full"):
    (H, W), (kH, kW) = np.shape(I), np.shape(K)
    shape = {"full": (H + kH - 1, W + kW - 1), "same": (H, W), "valid": (H - kH + 1, W - kW + 1)}[mode]
    return np.zeros(shape)
