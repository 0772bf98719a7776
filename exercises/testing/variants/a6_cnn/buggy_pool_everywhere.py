"""MaxPool2d.backward copies each gradient to all four pixels of its window.

loses: test_pool_layer
"""
# %% pool_layer
# replace:         one_hot = np.eye(4)[self.argmax] * grad_out[..., None]  # (n, c, h/2, w/2, 4)
# with:         one_hot = np.ones(4) * grad_out[..., None]  # (n, c, h/2, w/2, 4)
