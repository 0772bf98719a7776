"""Degenerate: Conv2d.forward returns its input x and backward returns grad_out (weights drawn, never used).

loses: test_conv_layer, test_training
"""
# %% conv_layer
class Conv2d:
    def __init__(self, c_in, c_out, k, padding, rng):
        self.W = rng.standard_normal((c_out, c_in, k, k)) * np.sqrt(2.0 / (c_in * k * k))
        self.b = np.zeros(c_out)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, x):
        return x

    def backward(self, grad_out):
        return grad_out

    def params(self):
        return [(self.W, self.dW), (self.b, self.db)]
