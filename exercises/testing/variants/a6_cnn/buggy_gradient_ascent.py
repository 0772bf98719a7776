"""Sign error in the update: value += lr * gradient climbs the loss.

loses: test_training
"""
# %% training
# replace:                     value -= lr * gradient
# with:                     value += lr * gradient
