"""Bias broadcast along the last (width) axis instead of the channel axis.

loses: test_conv_bias
"""
# %% conv2d
# replace:         y += np.asarray(bias, dtype=dtype).reshape(1, c_out, 1, 1)
# with:         y = y + np.asarray(bias, dtype=dtype)[:, None]
