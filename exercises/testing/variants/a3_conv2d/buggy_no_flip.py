"""Convolution without the flip: slides the kernel as in a correlation.

loses: test_conv2d
"""
# %% conv2d
def convolve2d(I, K, mode="full"):
    I = np.asarray(I, dtype=float)
    K = np.asarray(K, dtype=float)
    H, W = I.shape
    kH, kW = K.shape
    full = np.zeros((H + kH - 1, W + kW - 1))
    for i in range(H):
        for j in range(W):
            full[i:i + kH, j:j + kW] += I[i, j] * K[::-1, ::-1]
    if mode == "full":
        return full
    if mode == "valid":
        return full[kH - 1:H, kW - 1:W]
    r, c = (kH - 1) // 2, (kW - 1) // 2
    return full[r:r + H, c:c + W]
