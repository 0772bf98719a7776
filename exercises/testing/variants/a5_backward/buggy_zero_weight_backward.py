"""Degenerate: grad_x computed as if the weight were zero (zeros); grad_weight and grad_bias right.

loses: test_grad_input, test_grad_stride_padding
"""
# %% conv_backward
def conv2d_backward(grad_out, x, weight, stride=1, padding=0):
    grad_out = np.asarray(grad_out, dtype=float)
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    (sh, sw), (ph, pw) = as_pair(stride), as_pair(padding)
    _, _, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    grad_weight = np.zeros_like(weight)
    for i in range(grad_out.shape[2]):
        for j in range(grad_out.shape[3]):
            window = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            grad_weight += np.einsum("no,ncuv->ocuv", grad_out[:, :, i, j], window)
    return np.zeros_like(x), grad_weight, grad_out.sum(axis=(0, 2, 3))
