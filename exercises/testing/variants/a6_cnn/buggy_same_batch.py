"""Slices x[start:start + batch_size] instead of x[batch]: labels and images no longer match.

loses: test_training
"""
# %% training
def build_model(rng):
    """Conv2d(1 → 8, 3×3, padding 1) → ReLU → MaxPool2d → Flatten → Linear(128 → 10)."""
    return [Conv2d(1, 8, 3, 1, rng), ReLU(), MaxPool2d(), Flatten(), Linear(8 * 4 * 4, 10, rng)]


def train(model, x, y, epochs, lr, batch_size, seed):
    """Mini-batch SGD on (x, y); returns the mean training loss of each epoch."""
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        losses = []
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            loss, grad = softmax_cross_entropy(forward(model, x[start:start + batch_size]), y[batch])
            for layer in reversed(model):
                grad = layer.backward(grad)
            for layer in model:
                for value, gradient in layer.params():
                    value -= lr * gradient
            losses.append(loss)
        history.append(float(np.mean(losses)))
    return history
