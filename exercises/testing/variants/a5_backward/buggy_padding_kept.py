"""Padding not cut off: grad_x has the shape of the padded input.

loses: test_grad_stride_padding
"""
# %% conv_backward
def conv2d_backward(grad_out, x, weight, stride=1, padding=0):
    grad_out = np.asarray(grad_out, dtype=float)
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    (sh, sw), (ph, pw) = as_pair(stride), as_pair(padding)
    _, _, h, w = x.shape
    _, _, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    grad_xp = np.zeros_like(xp)
    grad_weight = np.zeros_like(weight)
    grad_bias = grad_out.sum(axis=(0, 2, 3))
    for i in range(grad_out.shape[2]):
        for j in range(grad_out.shape[3]):
            r0, c0 = i * sh, j * sw
            g = grad_out[:, :, i, j]
            grad_weight += np.einsum("no,ncuv->ocuv", g, xp[:, :, r0:r0 + kh, c0:c0 + kw])
            grad_xp[:, :, r0:r0 + kh, c0:c0 + kw] += np.einsum("no,ocuv->ncuv", g, weight)
    return grad_xp, grad_weight, grad_bias
