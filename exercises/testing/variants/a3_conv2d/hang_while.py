"""Infinite loop: the column index of a while loop is only advanced inside the image's interior.

loses: test_same
"""
# %% same
def correlate_same(I, K):
    I = np.asarray(I, dtype=float)
    S = np.zeros(I.shape)
    i = 0
    while i < I.shape[0]:
        j = 0
        while j < I.shape[1]:
            S[i, j] = centred_sum(I, K, i, j)
            if 0 < j < I.shape[1] - 1:
                j += 1
            elif j == 0:
                j += 1
        i += 1
    return S
