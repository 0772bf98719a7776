"""Padding not cut off: grad_x has the shape of the padded input.

loses: test_grad_stride_padding
"""
# %% conv_backward
# replace:     return grad_xp[:, :, ph:ph + h, pw:pw + w], grad_weight, grad_bias
# with:     return grad_xp, grad_weight, grad_bias
