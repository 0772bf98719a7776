"""Infinite loop: the column index of a while loop is only advanced inside the image's interior.

loses: test_same
"""
# %% same
# replace:     for i in range(I.shape[0]):
# replace:         for j in range(I.shape[1]):
# with:     i = 0
# with:     while i < I.shape[0]:
# with:         j = 0
# with:         while j < I.shape[1]:

# replace:             S[i, j] = centred_sum(I, K, i, j)
# with:             S[i, j] = centred_sum(I, K, i, j)
# with:             if 0 < j < I.shape[1] - 1:
# with:                 j += 1
# with:             elif j == 0:
# with:                 j += 1
# with:         i += 1
