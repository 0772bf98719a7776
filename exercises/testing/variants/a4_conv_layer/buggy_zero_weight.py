"""Degenerate: conv2d behaves as if the weight were zero: zeros of the right shape and dtype, plus the bias if given.

loses: test_conv_channels, test_conv_bias, test_conv_padding, test_conv_stride, test_conv_dilation, test_conv_dtype
"""
# %% conv2d
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    x, weight = np.asarray(x), np.asarray(weight)
    dtype = np.float32 if x.dtype == np.float32 and weight.dtype == np.float32 else np.float64
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride), as_pair(padding), as_pair(dilation)
    h_out = conv_output_size(x.shape[2], weight.shape[2], sh, ph, dh)
    w_out = conv_output_size(x.shape[3], weight.shape[3], sw, pw, dw)
    y = np.zeros((x.shape[0], weight.shape[0], h_out, w_out), dtype=dtype)
    if bias is not None:
        y += np.asarray(bias, dtype=dtype).reshape(1, -1, 1, 1)
    return y
