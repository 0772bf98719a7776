"""Always computes in float64, so float32 inputs give a float64 result.

loses: test_conv_dtype
"""
# %% conv2d
# replace:     dtype = np.float32 if x.dtype == np.float32 and weight.dtype == np.float32 else np.float64
# with:     dtype = np.float64
