"""Sobel kernel written for convolution (flipped): correlating it gives a negative edge response.

loses: test_kernels
"""
# %% kernels
# replace:     """3×3 horizontal-derivative kernel: positive correlation response where intensity increases to the right."""
# replace:     return np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
# with:     return np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
