"""Degenerate: build_model returns no layers (the identity), so the model passes its input through.

loses: test_training
"""
# %% training
def build_model(rng):
    return []


def train(model, x, y, epochs, lr, batch_size, seed):
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        losses = []
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            loss, grad = softmax_cross_entropy(forward(model, x[batch]), y[batch])
            for layer in reversed(model):
                grad = layer.backward(grad)
            for layer in model:
                for value, gradient in layer.params():
                    value -= lr * gradient
            losses.append(loss)
        history.append(float(np.mean(losses)))
    return history
