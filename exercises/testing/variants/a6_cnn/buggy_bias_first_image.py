"""db summed over the positions of the first image only.

loses: test_conv_layer
"""
# %% conv_layer
# replace:         self.db[...] = grad_out.sum(axis=(0, 2, 3))
# with:         self.db[...] = grad_out[0].sum(axis=(1, 2))
