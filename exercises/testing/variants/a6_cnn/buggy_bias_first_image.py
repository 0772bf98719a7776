"""db summed over the positions of the first image only.

loses: test_conv_layer
"""
# %% conv_layer
class Conv2d:
    """Stride-1 convolution layer with zero padding, vectorised over the batch."""

    def __init__(self, c_in, c_out, k, padding, rng):
        self.W = rng.standard_normal((c_out, c_in, k, k)) * np.sqrt(2.0 / (c_in * k * k))
        self.b = np.zeros(c_out)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.k, self.p = k, padding

    def forward(self, x):
        p, k = self.p, self.k
        self.xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        self.in_shape = x.shape
        h_out, w_out = self.xp.shape[2] - k + 1, self.xp.shape[3] - k + 1
        y = np.zeros((x.shape[0], self.W.shape[0], h_out, w_out)) + self.b[None, :, None, None]
        for u in range(k):
            for v in range(k):
                y += np.einsum("nchw,oc->nohw", self.xp[:, :, u:u + h_out, v:v + w_out], self.W[:, :, u, v])
        return y

    def backward(self, grad_out):
        p, k = self.p, self.k
        h_out, w_out = grad_out.shape[2], grad_out.shape[3]
        grad_xp = np.zeros_like(self.xp)
        for u in range(k):
            for v in range(k):
                self.dW[:, :, u, v] = np.einsum("nohw,nchw->oc", grad_out, self.xp[:, :, u:u + h_out, v:v + w_out])
                grad_xp[:, :, u:u + h_out, v:v + w_out] += np.einsum("nohw,oc->nchw", grad_out, self.W[:, :, u, v])
        self.db[...] = grad_out[0].sum(axis=(1, 2))
        h, w = self.in_shape[2], self.in_shape[3]
        return grad_xp[:, :, p:p + h, p:p + w]

    def params(self):
        return [(self.W, self.dW), (self.b, self.db)]
