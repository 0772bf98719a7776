"""grad_bias averages over the batch and positions instead of summing.

loses: test_grad_bias
"""
# %% conv_backward
# replace:     grad_bias = grad_out.sum(axis=(0, 2, 3))
# with:     grad_bias = grad_out.mean(axis=(0, 2, 3))
