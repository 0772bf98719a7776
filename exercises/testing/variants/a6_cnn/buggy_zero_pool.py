"""Degenerate: MaxPool2d outputs zeros of the pooled shape and sends zero gradients back.

loses: test_pool_layer, test_training
"""
# %% pool_layer
class MaxPool2d:
    def forward(self, x):
        self.in_shape = np.shape(x)
        n, c, h, w = self.in_shape
        return np.zeros((n, c, h // 2, w // 2))

    def backward(self, grad_out):
        return np.zeros(self.in_shape)

    def params(self):
        return []
