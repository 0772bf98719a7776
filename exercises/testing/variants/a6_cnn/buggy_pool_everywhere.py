"""MaxPool2d.backward copies each gradient to all four pixels of its window.

loses: test_pool_layer
"""
# %% pool_layer
class MaxPool2d:
    """2×2 max pooling with stride 2."""

    def forward(self, x):
        n, c, h, w = x.shape
        windows = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
        self.argmax = windows.argmax(axis=-1)
        self.in_shape = x.shape
        return windows.max(axis=-1)

    def backward(self, grad_out):
        n, c, h, w = self.in_shape
        one_hot = np.ones(4) * grad_out[..., None]  # (n, c, h/2, w/2, 4)
        return one_hot.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h, w)

    def params(self):
        return []
