"""Experiments run by the book.

:func:`flip_experiment` -- does it matter that CNN "convolution" layers compute cross-correlation?
A layer that cross-correlates with kernel ``K`` computes exactly what a true-convolution layer computes
with kernel ``flip(K)`` (``K`` reversed along every spatial axis), and the gradient with respect to the
flipped kernel is the flipped gradient. So two networks that differ only in this choice, started from
kernels that are flips of each other and fed the same batches, follow the same loss curve and end with
kernels that are again flips of each other: the network simply learns the flipped kernel.

:func:`learn_known_kernel` -- the same fact seen from the data: a single correlation layer trained by
gradient descent on (image, output) pairs made with a known kernel recovers that kernel when the outputs
were made by cross-correlation, and its 180° rotation when they were made by convolution.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from convlearn import signal
from convlearn._validation import as_positive_int, as_real_array, check_choice
from convlearn.data import load_digits_split
from convlearn.nn import Conv2d, Sequential
from convlearn.nn.init import as_generator
from convlearn.nn.optim import SGD
from convlearn.train import digits_cnn, evaluate, fit

__all__ = ["FlipExperiment", "flip_experiment", "conv_layers", "KernelRecovery", "learn_known_kernel"]


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


@dataclasses.dataclass(frozen=True)
class KernelRecovery:
    """Result of :func:`learn_known_kernel`.

    Attributes
    ----------
    learned : (k_H, k_W) float
        The weight of the trained correlation layer.
    true_kernel : (k_H, k_W) float
        The kernel that made the training outputs.
    target : {"convolution", "correlation"}
        How the training outputs were made from the images.
    loss : (steps + 1,) float
        Mean squared error ``(1/2M) Σ (y − t)²`` over all ``M`` output values, before every step and
        after the last one.
    """

    learned: np.ndarray
    true_kernel: np.ndarray
    target: str
    loss: np.ndarray

    @property
    def error(self) -> float:
        """``max |learned − true_kernel|``."""
        return float(np.max(np.abs(self.learned - self.true_kernel)))

    @property
    def error_flipped(self) -> float:
        """``max |learned − flip(true_kernel)|`` (flip = rotation by 180°)."""
        return float(np.max(np.abs(self.learned - _flip(self.true_kernel))))


def learn_known_kernel(kernel, *, target: str = "convolution", n_images: int = 16, size: int = 12,
                       steps: int = 40, lr: float = 0.5, seed=0) -> KernelRecovery:
    """Recover a known kernel from (image, output) pairs with one cross-correlation layer.

    The images are ``n_images`` arrays of independent standard normal pixels, ``x : (n_images, size, size)``,
    drawn from ``seed``. The training outputs are ``t = convolve2d(x, kernel, "valid")`` (``target=
    "convolution"``) or ``correlate2d(x, kernel, "valid")`` (``target="correlation"``), computed with
    :mod:`convlearn.signal`. A :class:`~convlearn.nn.Conv2d` layer with one input and one output channel,
    no bias and ``mode="correlation"`` (what CNN layers compute), started from the seeded He
    initialisation, is trained by full-batch gradient descent (:class:`~convlearn.nn.optim.SGD` without
    momentum) on the mean squared error ``L = (1/2M) Σ (y − t)²`` over the ``M`` output values.

    For white-noise images this loss is a quadratic in the kernel whose Hessian is close to the identity,
    so gradient descent with ``lr = 0.5`` shrinks the error by about a factor 2 per step. Its minimiser is
    the kernel ``W`` with ``x ⋆ W = t``: ``kernel`` itself for correlation targets and ``flip(kernel)`` for
    convolution targets, because ``x ∗ K = x ⋆ flip(K)``.

    Parameters
    ----------
    kernel : (k_H, k_W) array_like of real numbers
        The kernel that makes the outputs (e.g. a Sobel kernel); ``k_H, k_W <= size``.
    target : {"convolution", "correlation"}
    n_images, size : int
        Number and side length of the training images.
    steps : int
        Number of gradient-descent steps.
    lr : float
        Learning rate.
    seed : int or numpy.random.Generator
        Seeds the images and the initial kernel.

    Returns
    -------
    KernelRecovery
    """
    k = as_real_array(kernel, "kernel").astype(np.float64)
    if k.ndim != 2:
        raise ValueError(f"kernel must be 2-D (k_H, k_W), got shape {k.shape}")
    check_choice(target, "target", ("convolution", "correlation"))
    n_images = as_positive_int(n_images, "n_images")
    size = as_positive_int(size, "size")
    steps = as_positive_int(steps, "steps")
    if k.shape[0] > size or k.shape[1] > size:
        raise ValueError(f"kernel of shape {k.shape} does not fit in images of size ({size}, {size})")
    rng = as_generator(seed, "seed")
    x = rng.standard_normal((n_images, size, size))
    make = signal.convolve2d if target == "convolution" else signal.correlate2d
    t = np.stack([make(img, k, mode="valid") for img in x])[:, None]  # (n_images, 1, H_out, W_out)
    layer = Conv2d(1, 1, k.shape, bias=False, mode="correlation", rng=rng)
    opt = SGD(layer.parameters(), lr=lr)
    xb = x[:, None]  # (n_images, 1, size, size)
    m = t.size
    losses = []
    for _ in range(steps + 1):
        residual = layer.forward(xb) - t
        losses.append(0.5 * float(np.sum(residual**2)) / m)
        if len(losses) > steps:
            break
        layer.backward(residual / m)
        opt.step()
    return KernelRecovery(learned=layer.weight.value[0, 0].copy(), true_kernel=k.copy(), target=target,
                          loss=np.asarray(losses))
