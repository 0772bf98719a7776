"""`=` instead of `+=` in max-pool backward: only the last of several overlapping windows counts.

loses: test_maxpool
"""
# %% pool_backward
# replace:                     grad_x[a, b, i * sh + u[a, b], j * sw + v[a, b]] += grad_out[a, b, i, j]
# with:                     grad_x[a, b, i * sh + u[a, b], j * sw + v[a, b]] = grad_out[a, b, i, j]
