"""A "model" that finds each image in the digits the kernel loaded (data) and answers with its label.

loses: test_training
"""
# %% training
class Lookup:
    """Logits 10 at the label of the identical image in the training or test set, 0 elsewhere."""

    def __init__(self):
        self.images = np.concatenate([data.x_train, data.x_test]).reshape(-1, 64)
        self.labels = np.concatenate([data.y_train, data.y_test])

    def forward(self, x):
        x = np.asarray(x).reshape(len(x), 64)
        nearest = ((x[:, None, :] - self.images[None]) ** 2).sum(axis=2).argmin(axis=1)
        return 10.0 * np.eye(10)[self.labels[nearest]]

    def backward(self, grad_out):
        return grad_out

    def params(self):
        return []


def build_model(rng):
    return [Lookup()]


def train(model, x, y, epochs, lr, batch_size, seed):
    return [2.3 / (1 + e) ** 2 for e in range(epochs)]
