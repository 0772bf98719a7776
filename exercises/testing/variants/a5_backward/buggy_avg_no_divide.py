"""Average-pool backward forgets to divide by the window size k_H·k_W.

loses: test_avgpool
"""
# %% pool_backward
def max_pool2d_backward(grad_out, x, kernel_size, stride=None):
    grad_out = np.asarray(grad_out, dtype=float)
    x = np.asarray(x, dtype=float)
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    grad_x = np.zeros_like(x)
    n, c, _, _ = x.shape
    for i in range(grad_out.shape[2]):
        for j in range(grad_out.shape[3]):
            window = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].reshape(n, c, -1)
            u, v = np.unravel_index(window.argmax(axis=2), (kh, kw))
            for a in range(n):
                for b in range(c):
                    grad_x[a, b, i * sh + u[a, b], j * sw + v[a, b]] += grad_out[a, b, i, j]
    return grad_x


def avg_pool2d_backward(grad_out, x, kernel_size, stride=None):
    grad_out = np.asarray(grad_out, dtype=float)
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    grad_x = np.zeros(np.shape(x))
    for i in range(grad_out.shape[2]):
        for j in range(grad_out.shape[3]):
            grad_x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += grad_out[:, :, i:i + 1, j:j + 1]
    return grad_x
