"""Sobel kernel written for convolution (flipped): correlating it gives a negative edge response.

loses: test_kernels
"""
# %% kernels
def box_kernel(size):
    return np.full((size, size), 1.0 / size**2)


def sobel_x():
    return np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
