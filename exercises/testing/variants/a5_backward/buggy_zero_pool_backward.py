"""Degenerate: max_pool2d_backward and avg_pool2d_backward return zeros of the shape of x.

loses: test_maxpool, test_avgpool
"""
# %% pool_backward
def max_pool2d_backward(grad_out, x, kernel_size, stride=None):
    return np.zeros(np.shape(x))


def avg_pool2d_backward(grad_out, x, kernel_size, stride=None):
    return np.zeros(np.shape(x))
