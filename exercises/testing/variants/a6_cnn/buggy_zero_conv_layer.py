"""Degenerate: a Conv2d that reports zero weights, ignores assignments to W and b, and outputs zeros.

loses: test_conv_layer, test_training
"""
# %% conv_layer
class Conv2d:
    def __init__(self, c_in, c_out, k, padding, rng):
        self.shape, self.p = (c_out, c_in, k, k), padding

    W = property(lambda self: np.zeros(self.shape), lambda self, value: None)
    b = property(lambda self: np.zeros(self.shape[0]), lambda self, value: None)
    dW = property(lambda self: np.zeros(self.shape))
    db = property(lambda self: np.zeros(self.shape[0]))

    def forward(self, x):
        self.in_shape = np.shape(x)
        n, _, h, w = self.in_shape
        size = 2 * self.p - self.shape[2] + 1
        return np.zeros((n, self.shape[0], h + size, w + size))

    def backward(self, grad_out):
        return np.zeros(self.in_shape)

    def params(self):
        return [(self.W, self.dW), (self.b, self.db)]
