"""No bounds check: negative indices wrap around to the far side of the image instead of giving zero.

loses: test_centred
"""
# %% centred
def centred_sum(I, K, i, j):
    I = np.asarray(I, dtype=float)
    K = np.asarray(K, dtype=float)
    M, N = K.shape[0] // 2, K.shape[1] // 2
    total = 0.0
    for m in range(-M, M + 1):
        for n in range(-N, N + 1):
            r, c = i + m, j + n
            if r < I.shape[0] and c < I.shape[1]:
                total += I[r, c] * K[m + M, n + N]
    return total
