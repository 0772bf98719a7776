"""Infinite loop: a while loop over epochs whose counter is never incremented; the cell timeout stops it.

loses: test_training
"""
# %% training
# replace:     for _ in range(epochs):
# with:     epoch = 0
# with:     while epoch < epochs:
