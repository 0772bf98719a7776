"""Degenerate: box_kernel(size) always returns the 3×3 kernel of ninths, whatever the size.

loses: test_kernels
"""
# %% kernels
def box_kernel(size):
    return np.full((3, 3), 1.0 / 9)


def sobel_x():
    return np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
