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

:func:`shift_experiment` -- what weight sharing buys: a small CNN ending in global average pooling and an MLP
with about as many parameters, both trained on a few hundred centred digits, tested on digits shifted by a
few pixels, over several seeds; :func:`paired_comparison` summarises the per-seed differences.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from convlearn import signal
from convlearn._validation import as_nonnegative_int, as_positive_int, as_real_array, check_choice, check_ndim
from convlearn.data import load_digits_split
from convlearn.nn import AvgPool2d, Conv2d, Flatten, Linear, ReLU, Sequential
from convlearn.nn.init import as_generator
from convlearn.nn.optim import SGD
from convlearn.train import digits_cnn, evaluate, fit

__all__ = ["FlipExperiment", "flip_experiment", "conv_layers", "KernelRecovery", "learn_known_kernel",
           "on_canvas", "shift_cnn", "shift_mlp", "ShiftExperiment", "shift_experiment", "PairedComparison",
           "paired_comparison"]


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


def on_canvas(x, margin: int, offsets=None) -> np.ndarray:
    """Place images on a larger blank canvas, each at its own offset from the centre.

    Parameters
    ----------
    x : (N, C, H, W) array_like of real numbers
        Images whose background is 0 (e.g. the digits with ``normalize=False``).
    margin : int
        Blank pixels added on every side: the canvas is ``(H + 2 margin) × (W + 2 margin)``.
    offsets : (N, 2) array_like of int, optional
        ``(down, right)`` shift of every image from the centre, each in ``[-margin, margin]``
        (negative: up or left). ``None`` centres every image.

    Returns
    -------
    (N, C, H + 2 margin, W + 2 margin) float array
    """
    x = as_real_array(x, "x")
    check_ndim(x, "x", 4, "(N, C, H, W)")
    margin = as_nonnegative_int(margin, "margin")
    n, c, h, w = x.shape
    d = np.zeros((n, 2), dtype=np.int64) if offsets is None else np.asarray(offsets)
    if d.shape != (n, 2) or not np.issubdtype(d.dtype, np.integer):
        raise ValueError(f"offsets must be integers of shape ({n}, 2), got {d.dtype} {d.shape}")
    if np.any(np.abs(d) > margin):
        raise ValueError(f"every offset must lie in [-{margin}, {margin}] to keep the image on the canvas")
    out = np.zeros((n, c, h + 2 * margin, w + 2 * margin))
    for i, (dy, dx) in enumerate(d + margin):
        out[i, :, dy:dy + h, dx:dx + w] = x[i]
    return out


def _shifts_by(s: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` offsets, each one of the 8 moves by exactly ``s`` pixels (up/down, left/right, diagonal)."""
    if s == 0:
        return np.zeros((n, 2), dtype=np.int64)
    moves = np.array([(a, b) for a in (-s, 0, s) for b in (-s, 0, s) if (a, b) != (0, 0)])
    return moves[rng.integers(0, len(moves), size=n)]


def shift_cnn(size: int, seed=0, *, channels: tuple[int, int] = (16, 32), n_classes: int = 10) -> Sequential:
    """The CNN of :func:`shift_experiment`: two convolutions, global average pooling, a linear layer.

    ``conv 3×3 (pad 1) → ReLU → conv 3×3 (dilation 2, pad 2) → ReLU → global average pool → linear``. Every
    layer before the pooling keeps the image size and slides the same kernels over every position, so a
    shifted input gives (away from the border) a shifted feature map, and the average over all positions
    does not change: the prediction ignores where the digit is. He initialisation drawn from ``seed``.

    Parameters
    ----------
    size : int
        Side of the square input images; the average pooling window is ``size × size`` (all positions).
    seed : int or numpy.random.Generator
    channels : (int, int)
        Channels of the two convolutions.
    n_classes : int
    """
    size = as_positive_int(size, "size")
    rng = as_generator(seed, "seed")
    c1, c2 = channels
    return Sequential(
        Conv2d(1, c1, 3, padding=1, rng=rng),
        ReLU(),
        Conv2d(c1, c2, 3, padding=2, dilation=2, rng=rng),
        ReLU(),
        AvgPool2d(size),
        Flatten(),
        Linear(c2, n_classes, rng=rng),
    )


def shift_mlp(n_inputs: int, n_params: int, seed=0, *, n_classes: int = 10) -> Sequential:
    """An MLP ``n_inputs → h → n_classes`` whose width ``h`` brings its size as close to ``n_params`` as possible.

    It has ``(n_inputs + 1) h + (h + 1) n_classes`` parameters. He initialisation drawn from ``seed``.
    """
    n_inputs = as_positive_int(n_inputs, "n_inputs")
    h = max(1, round((n_params - n_classes) / (n_inputs + 1 + n_classes)))
    rng = as_generator(seed, "seed")
    return Sequential(Flatten(), Linear(n_inputs, h, rng=rng), ReLU(), Linear(h, n_classes, rng=rng))


@dataclasses.dataclass(frozen=True)
class ShiftExperiment:
    """Result of :func:`shift_experiment`.

    Attributes
    ----------
    shifts : (S,) int
        Shifts of the test digits, in pixels.
    seeds : (R,) int
        One run per seed.
    accuracy_cnn, accuracy_mlp : (R, S) float
        Test accuracy of each network, run by run, at every shift.
    params_cnn, params_mlp : int
        Numbers of trainable parameters.
    n_train : int
        Training images per run (a class-stratified sample, drawn anew for every seed).
    canvas : int
        Side of the square canvas the 8×8 digits are placed on.
    """

    shifts: np.ndarray
    seeds: np.ndarray
    accuracy_cnn: np.ndarray
    accuracy_mlp: np.ndarray
    params_cnn: int
    params_mlp: int
    n_train: int
    canvas: int


def _count(model: Sequential) -> int:
    return sum(p.value.size for p in model.parameters())


def shift_experiment(*, seeds=tuple(range(6)), n_train: int = 200, shifts=(0, 1, 2), margin: int = 2,
                     epochs: int = 40, lr: float = 1e-2, batch_size: int = 32,
                     channels: tuple[int, int] = (16, 32)) -> ShiftExperiment:
    """A CNN with global average pooling against an MLP of the same size, on few centred digits, tested shifted.

    For every seed: draw ``n_train`` training digits (``n_train / 10`` of each class) from the book's
    training split, place them at the centre of a blank canvas with ``margin`` pixels on every side (pixel
    values ``0..16`` divided by 16, so the background is 0), and train :func:`shift_cnn` and an MLP from
    :func:`shift_mlp` with the CNN's number of parameters, both with Adam, the same learning rate, epochs
    and batches. Then test both on the book's 450 test digits, moved from the centre by exactly ``s``
    pixels for every ``s`` in ``shifts`` (each digit in one of the 8 directions, drawn once per shift from
    a fixed generator, so both networks and every seed see the same shifted test set).

    Parameters
    ----------
    seeds : sequence of int
        One run per seed; it seeds the training sample, both initialisations and the batch order.
    n_train : int
        Training images per run, a multiple of 10.
    shifts : sequence of int
        Test shifts in pixels, each in ``[0, margin]``.
    margin : int
        Blank border of the canvas.
    epochs, lr, batch_size : training hyper-parameters, the same for both networks.
    channels : (int, int)
        Channels of the CNN's two convolutions.

    Returns
    -------
    ShiftExperiment
    """
    n_train = as_positive_int(n_train, "n_train")
    if n_train % 10:
        raise ValueError(f"n_train must be a multiple of 10 (the same number of each digit), got {n_train}")
    shifts = np.asarray([int(s) for s in shifts])
    margin = int(margin)
    if np.any(shifts < 0) or np.any(shifts > margin):
        raise ValueError(f"every shift must lie in [0, margin={margin}], got {shifts.tolist()}")
    seeds = np.asarray([int(s) for s in seeds])
    data = load_digits_split(normalize=False)
    x_pool, y_pool = data.x_train / 16.0, data.y_train
    test_rng = np.random.default_rng(2024)
    x_tests = [on_canvas(data.x_test / 16.0, margin, _shifts_by(int(s), len(data.y_test), test_rng))
               for s in shifts]
    side = 8 + 2 * margin
    acc = np.zeros((2, len(seeds), len(shifts)))
    params = None
    for r, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        idx = np.concatenate([rng.choice(np.flatnonzero(y_pool == c), n_train // 10, replace=False)
                              for c in range(10)])
        x, y = on_canvas(x_pool[idx], margin), y_pool[idx]
        cnn = shift_cnn(side, seed, channels=channels)
        mlp = shift_mlp(side * side, _count(cnn), seed)
        params = (_count(cnn), _count(mlp))
        for m, net in enumerate((cnn, mlp)):
            fit(net, x, y, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, progress=False)
            acc[m, r] = [evaluate(net, xt, data.y_test).accuracy for xt in x_tests]
    return ShiftExperiment(shifts=shifts, seeds=seeds, accuracy_cnn=acc[0], accuracy_mlp=acc[1],
                           params_cnn=params[0], params_mlp=params[1], n_train=n_train, canvas=side)


@dataclasses.dataclass(frozen=True)
class PairedComparison:
    """Result of :func:`paired_comparison`.

    Attributes
    ----------
    differences : (R,) float
        ``a − b`` run by run.
    mean : float
        Mean difference.
    ci_low, ci_high : float
        95% confidence interval of the mean difference, ``mean ± t_{0.975, R−1} · s / √R`` (Student's t
        with the sample standard deviation ``s`` of the differences).
    t_pvalue : float
        Two-sided p-value of the paired t-test (mean difference 0).
    wilcoxon_pvalue : float
        Two-sided p-value of the Wilcoxon signed-rank test (exact for small samples without ties).
    """

    differences: np.ndarray
    mean: float
    ci_low: float
    ci_high: float
    t_pvalue: float
    wilcoxon_pvalue: float


def paired_comparison(a, b) -> PairedComparison:
    """Compare two methods measured on the same runs (same seeds): paired t-test, Wilcoxon test, 95% CI.

    Parameters
    ----------
    a, b : (R,) array_like of real numbers, R >= 2
        The measurement of each method in run ``r`` (e.g. test accuracy with seed ``r``).

    Returns
    -------
    PairedComparison
    """
    from scipy import stats

    a, b = as_real_array(a, "a").astype(np.float64), as_real_array(b, "b").astype(np.float64)
    if a.ndim != 1 or a.shape != b.shape or a.size < 2:
        raise ValueError(f"a and b must be 1-D of the same length >= 2, got {a.shape} and {b.shape}")
    d = a - b
    n = d.size
    mean = float(d.mean())
    half = float(stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / math.sqrt(n))
    if np.all(d == 0):
        t_p = w_p = 1.0
    else:
        t_p = float(stats.ttest_rel(a, b).pvalue) if half > 0 else 0.0
        w_p = float(stats.wilcoxon(a, b).pvalue)
    return PairedComparison(differences=d, mean=mean, ci_low=mean - half, ci_high=mean + half, t_pvalue=t_p,
                            wilcoxon_pvalue=w_p)
