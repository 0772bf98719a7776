"""Degenerate: box_kernel(size) always returns the 3×3 kernel of ninths, whatever the size.

loses: test_kernels
"""
# %% kernels
# replace:     """Averaging kernel of shape (size, size) whose entries sum to 1."""
# replace:     return np.full((size, size), 1.0 / size**2)
# with:     return np.full((3, 3), 1.0 / 9)
