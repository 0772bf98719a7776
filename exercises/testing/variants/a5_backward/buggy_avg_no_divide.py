"""Average-pool backward forgets to divide by the window size k_H·k_W.

loses: test_avgpool
"""
# %% pool_backward
# replace:             grad_x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += grad_out[:, :, i:i + 1, j:j + 1] / (kh * kw)
# with:             grad_x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += grad_out[:, :, i:i + 1, j:j + 1]
