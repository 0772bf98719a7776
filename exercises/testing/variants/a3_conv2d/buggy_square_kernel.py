"""Assumes a square kernel: uses the number of rows for both half-widths.

loses: test_centred
"""
# %% centred
# replace:     M, N = K.shape[0] // 2, K.shape[1] // 2
# with:     M = K.shape[0] // 2

# replace:         for n in range(-N, N + 1):
# with:         for n in range(-M, M + 1):

# replace:             if 0 <= r < I.shape[0] and 0 <= c < I.shape[1]:
# replace:                 total += I[r, c] * K[m + M, n + N]
# with:             if 0 <= r < I.shape[0] and 0 <= c < I.shape[1] and 0 <= n + M < K.shape[1]:
# with:                 total += I[r, c] * K[m + M, n + M]
