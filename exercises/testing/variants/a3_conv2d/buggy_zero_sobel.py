"""Degenerate: sobel_x returns a 3×3 kernel of zeros.

loses: test_kernels
"""
# %% kernels
# replace:     """3×3 horizontal-derivative kernel: positive correlation response where intensity increases to the right."""
# replace:     return np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
# with:     return np.zeros((3, 3))
