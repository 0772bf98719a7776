"""'same' cropped from k // 2 instead of (k − 1) // 2: right for odd kernels, shifted by one for even ones.

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
        return full[kH - 1:H, kW - 1:W]
    r, c = kH // 2, kW // 2
    return full[r:r + H, c:c + W]
