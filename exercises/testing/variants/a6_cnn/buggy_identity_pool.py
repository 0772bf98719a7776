"""Degenerate: MaxPool2d.forward returns its input x and backward returns grad_out.

loses: test_pool_layer, test_training
"""
# %% pool_layer
class MaxPool2d:
    def forward(self, x):
        return x

    def backward(self, grad_out):
        return grad_out

    def params(self):
        return []
