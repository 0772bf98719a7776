"""`=` instead of `+=` for grad_x: overlapping windows overwrite each other.

loses: test_grad_input
"""
# %% conv_backward
# replace:             grad_xp[:, :, r0:r0 + kh, c0:c0 + kw] += np.einsum("no,ocuv->ncuv", g, weight)
# with:             grad_xp[:, :, r0:r0 + kh, c0:c0 + kw] = np.einsum("no,ocuv->ncuv", g, weight)
