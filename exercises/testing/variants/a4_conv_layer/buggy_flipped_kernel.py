"""Flips the kernel (true convolution) although a CNN layer is a cross-correlation.

loses: test_conv_channels
"""
# %% conv2d
# replace:             y[:, :, i, j] = np.einsum("ncuv,ocuv->no", window, weight)
# with:             y[:, :, i, j] = np.einsum("ncuv,ocuv->no", window, weight[:, :, ::-1, ::-1])
