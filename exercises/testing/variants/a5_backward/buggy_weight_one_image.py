"""grad_weight from the first image of the batch only (no sum over n).

loses: test_grad_weight
"""
# %% conv_backward
# replace:             grad_weight += np.einsum("no,ncuv->ocuv", g, xp[:, :, r0:r0 + kh, c0:c0 + kw])
# with:             grad_weight += np.einsum("o,cuv->ocuv", g[0], xp[0, :, r0:r0 + kh, c0:c0 + kw])
