"""Degenerate: conv2d_backward returns zeros of the shapes of x, weight and the bias.

loses: test_grad_bias, test_grad_weight, test_grad_input, test_grad_stride_padding
"""
# %% conv_backward
def conv2d_backward(grad_out, x, weight, stride=1, padding=0):
    return np.zeros(np.shape(x)), np.zeros(np.shape(weight)), np.zeros(np.shape(weight)[0])
