"""Degenerate: sobel_x returns a 3×3 kernel of zeros.

loses: test_kernels
"""
# %% kernels
def box_kernel(size):
    return np.full((size, size), 1.0 / size**2)


def sobel_x():
    return np.zeros((3, 3))
