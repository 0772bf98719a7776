"""Max-pool backward sends the gradient to every pixel of the window, not just the maximum.

loses: test_maxpool
"""
# %% pool_backward
# replace:             window = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].reshape(n, c, -1)
# replace:             u, v = np.unravel_index(window.argmax(axis=2), (kh, kw))
# replace:             for a in range(n):
# replace:                 for b in range(c):
# replace:                     grad_x[a, b, i * sh + u[a, b], j * sw + v[a, b]] += grad_out[a, b, i, j]
# with:             grad_x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += grad_out[:, :, i:i + 1, j:j + 1]
