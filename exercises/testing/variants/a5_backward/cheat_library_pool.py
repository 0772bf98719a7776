"""Calls the library's max_pool2d_backward and avg_pool2d_backward.

loses: test_maxpool, test_avgpool
"""
# %% pool_backward
import convlearn.nn.functional as F


def max_pool2d_backward(grad_out, x, kernel_size, stride=None):
    return F.max_pool2d_backward(grad_out, x, kernel_size, stride=stride)


def avg_pool2d_backward(grad_out, x, kernel_size, stride=None):
    return F.avg_pool2d_backward(grad_out, x, kernel_size, stride=stride)
