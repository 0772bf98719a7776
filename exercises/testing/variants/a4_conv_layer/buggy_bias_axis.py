"""Bias broadcast along the last (width) axis instead of the channel axis.

loses: test_conv_bias
"""
# %% conv2d
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    x = np.asarray(x)
    weight = np.asarray(weight)
    dtype = np.float32 if x.dtype == np.float32 and weight.dtype == np.float32 else np.float64
    x = x.astype(dtype)
    weight = weight.astype(dtype)
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride), as_pair(padding), as_pair(dilation)
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = conv_output_size(h, kh, sh, ph, dh)
    w_out = conv_output_size(w, kw, sw, pw, dw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    y = np.zeros((n, c_out, h_out, w_out), dtype=dtype)
    for i in range(h_out):
        for j in range(w_out):
            r0, c0 = i * sh, j * sw
            window = xp[:, :, r0:r0 + dh * (kh - 1) + 1:dh, c0:c0 + dw * (kw - 1) + 1:dw]
            y[:, :, i, j] = np.einsum("ncuv,ocuv->no", window, weight)
    if bias is not None:
        y = y + np.asarray(bias, dtype=dtype)[:, None]
    return y
