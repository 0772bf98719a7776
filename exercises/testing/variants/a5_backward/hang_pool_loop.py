"""Infinite loop for stride 1: a while loop over window rows advances by stride − 1.

loses: test_maxpool
"""
# %% pool_backward
# replace:     n, c, _, _ = x.shape
# replace:     for i in range(grad_out.shape[2]):
# with:     n, c, _, _ = x.shape
# with:     i = 0
# with:     while i < grad_out.shape[2]:

# replace:                     grad_x[a, b, i * sh + u[a, b], j * sw + v[a, b]] += grad_out[a, b, i, j]
# with:                     grad_x[a, b, i * sh + u[a, b], j * sw + v[a, b]] += grad_out[a, b, i, j]
# with:         i += sh - 1  # "skip the overlap"
