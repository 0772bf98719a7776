"""Degenerate: grad_x computed as if the weight were zero (zeros); grad_weight and grad_bias right.

loses: test_grad_input, test_grad_stride_padding
"""
# %% conv_backward
# replace:     _, _, h, w = x.shape

# replace:     grad_xp = np.zeros_like(xp)

# replace:     grad_bias = grad_out.sum(axis=(0, 2, 3))

# replace:             r0, c0 = i * sh, j * sw
# replace:             g = grad_out[:, :, i, j]  # (N, C_out)
# replace:             grad_weight += np.einsum("no,ncuv->ocuv", g, xp[:, :, r0:r0 + kh, c0:c0 + kw])
# replace:             grad_xp[:, :, r0:r0 + kh, c0:c0 + kw] += np.einsum("no,ocuv->ncuv", g, weight)
# replace:     return grad_xp[:, :, ph:ph + h, pw:pw + w], grad_weight, grad_bias
# with:             window = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
# with:             grad_weight += np.einsum("no,ncuv->ocuv", grad_out[:, :, i, j], window)
# with:     return np.zeros_like(x), grad_weight, grad_out.sum(axis=(0, 2, 3))
