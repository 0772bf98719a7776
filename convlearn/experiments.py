"""Experiments run by the book.

:func:`flip_experiment` -- does it matter that CNN "convolution" layers compute cross-correlation?
A layer that cross-correlates with kernel ``K`` computes exactly what a true-convolution layer computes
with kernel ``flip(K)`` (``K`` reversed along every spatial axis), and the gradient with respect to the
flipped kernel is the flipped gradient. So two networks that differ only in this choice, started from
kernels that are flips of each other and fed the same batches, follow the same loss curve and end with
kernels that are again flips of each other: the network simply learns the flipped kernel.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from convlearn.data import load_digits_split
from convlearn.nn import Conv2d, Sequential
from convlearn.nn.optim import SGD
from convlearn.train import digits_cnn, evaluate, fit

__all__ = ["FlipExperiment", "flip_experiment", "conv_layers"]


@dataclasses.dataclass(frozen=True)
class FlipExperiment:
    """Result of :func:`flip_experiment`.

    Attributes
    ----------
    loss_correlation, loss_convolution : (steps,) float
        Loss at every optimisation step of the cross-correlation and the true-convolution network.
    max_loss_difference : float
        ``max |loss_correlation − loss_convolution|`` over all steps.
    kernels_correlation, kernels_convolution : list of arrays
        Final kernels of each convolution layer, ``(C_out, C_in, k_H, k_W)``.
    max_kernel_difference : float
        ``max |K_corr − flip(K_conv)|`` over all final kernels (flip = reverse both spatial axes).
    test_accuracy_correlation, test_accuracy_convolution : float
        Accuracy of the two networks on the digits test split.
    """

    loss_correlation: np.ndarray
    loss_convolution: np.ndarray
    max_loss_difference: float
    kernels_correlation: list[np.ndarray]
    kernels_convolution: list[np.ndarray]
    max_kernel_difference: float
    test_accuracy_correlation: float
    test_accuracy_convolution: float


def conv_layers(model: Sequential) -> list[Conv2d]:
    """The :class:`~convlearn.nn.Conv2d` layers of ``model``, in order."""
    return [m for _, m in model.modules() if isinstance(m, Conv2d)]


def _flip(k: np.ndarray) -> np.ndarray:
    return np.flip(k, axis=(-2, -1))


def flip_experiment(*, seed: int = 0, n_train: int = 300, epochs: int = 3, batch_size: int = 32, lr: float = 0.05,
                    momentum: float = 0.9, channels: tuple[int, int] = (4, 8)) -> FlipExperiment:
    """Train the digits CNN twice -- cross-correlation layers vs true-convolution layers -- and compare.

    Both networks are :func:`convlearn.train.digits_cnn` with the same seed (identical weights), except that
    the convolution network's kernels are set to the flips of the correlation network's kernels. Both are
    trained with SGD on the first ``n_train`` training digits with the same shuffling seed.

    Parameters
    ----------
    seed : int
        Seeds the initial weights and the order of the batches.
    n_train : int
        Number of training images used (a subset keeps the experiment to a few seconds).
    epochs, batch_size, lr, momentum : training hyper-parameters.
    channels : (int, int)
        Channels of the two convolution layers.

    Returns
    -------
    FlipExperiment
    """
    data = load_digits_split()
    x, y = data.x_train[:n_train], data.y_train[:n_train]
    net_corr = digits_cnn(seed, channels=channels, mode="correlation")
    net_conv = digits_cnn(seed, channels=channels, mode="convolution")
    net_conv.load_state_dict(net_corr.state_dict())
    for layer_corr, layer_conv in zip(conv_layers(net_corr), conv_layers(net_conv), strict=True):
        layer_conv.weight.value[...] = _flip(layer_corr.weight.value)

    histories = []
    for net in (net_corr, net_conv):
        opt = SGD(net.parameters(), lr=lr, momentum=momentum)
        histories.append(fit(net, x, y, epochs=epochs, batch_size=batch_size, optimizer=opt, seed=seed,
                             progress=False))
    loss_corr, loss_conv = (np.asarray(h.batch_loss) for h in histories)
    k_corr = [layer.weight.value.copy() for layer in conv_layers(net_corr)]
    k_conv = [layer.weight.value.copy() for layer in conv_layers(net_conv)]
    return FlipExperiment(
        loss_correlation=loss_corr,
        loss_convolution=loss_conv,
        max_loss_difference=float(np.max(np.abs(loss_corr - loss_conv))),
        kernels_correlation=k_corr,
        kernels_convolution=k_conv,
        max_kernel_difference=float(max(np.max(np.abs(a - _flip(b))) for a, b in zip(k_corr, k_conv, strict=True))),
        test_accuracy_correlation=evaluate(net_corr, data.x_test, data.y_test).accuracy,
        test_accuracy_convolution=evaluate(net_conv, data.x_test, data.y_test).accuracy,
    )
