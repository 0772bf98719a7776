"""Off by one in 'valid': keeps H − k_H rows and W − k_W columns, dropping the last full overlap.

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
            full[i:i + kH, j:j + kW] += I[i, j] * K
    if mode == "full":
        return full
    if mode == "valid":
        return full[kH - 1:H - 1, kW - 1:W - 1]
    r, c = (kH - 1) // 2, (kW - 1) // 2
    return full[r:r + H, c:c + W]
