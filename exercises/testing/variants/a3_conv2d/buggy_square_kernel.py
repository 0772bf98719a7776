"""Assumes a square kernel: uses the number of rows for both half-widths.

loses: test_centred
"""
# %% centred
def centred_sum(I, K, i, j):
    I = np.asarray(I, dtype=float)
    K = np.asarray(K, dtype=float)
    M = K.shape[0] // 2
    total = 0.0
    for m in range(-M, M + 1):
        for n in range(-M, M + 1):
            r, c = i + m, j + n
            if 0 <= r < I.shape[0] and 0 <= c < I.shape[1] and 0 <= n + M < K.shape[1]:
                total += I[r, c] * K[m + M, n + M]
    return total
