"""Degenerate: max_pool2d_backward and avg_pool2d_backward return their input x.

loses: test_maxpool, test_avgpool
"""
# %% pool_backward
def max_pool2d_backward(grad_out, x, kernel_size, stride=None):
    return np.asarray(x, dtype=float)


def avg_pool2d_backward(grad_out, x, kernel_size, stride=None):
    return np.asarray(x, dtype=float)
