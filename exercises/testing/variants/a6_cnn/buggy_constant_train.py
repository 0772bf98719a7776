"""Degenerate: train returns a constant loss per epoch and trains nothing.

loses: test_training
"""
# %% training
def build_model(rng):
    return [Conv2d(1, 8, 3, 1, rng), ReLU(), MaxPool2d(), Flatten(), Linear(8 * 4 * 4, 10, rng)]


def train(model, x, y, epochs, lr, batch_size, seed):
    return [1.0] * epochs
