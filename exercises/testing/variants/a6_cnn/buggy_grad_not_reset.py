"""dW accumulated with += across calls and never reset: stale gradients pile up during training.

loses: test_training
"""
# %% conv_layer
# replace:                 self.dW[:, :, u, v] = np.einsum("nohw,nchw->oc", grad_out, self.xp[:, :, u:u + h_out, v:v + w_out])
# with:                 self.dW[:, :, u, v] += np.einsum("nohw,nchw->oc", grad_out, self.xp[:, :, u:u + h_out, v:v + w_out])
