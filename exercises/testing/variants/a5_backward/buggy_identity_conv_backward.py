"""Degenerate: conv2d_backward returns its inputs x and weight as their own gradients (and a zero bias gradient).

loses: test_grad_bias, test_grad_weight, test_grad_input, test_grad_stride_padding
"""
# %% conv_backward
def conv2d_backward(grad_out, x, weight, stride=1, padding=0):
    return np.asarray(x, dtype=float), np.asarray(weight, dtype=float), np.zeros(np.shape(weight)[0])
