"""Slices x[start:start + batch_size] instead of x[batch]: labels and images no longer match.

loses: test_training
"""
# %% training
# replace:             loss, grad = softmax_cross_entropy(forward(model, x[batch]), y[batch])
# with:             loss, grad = softmax_cross_entropy(forward(model, x[start:start + batch_size]), y[batch])
