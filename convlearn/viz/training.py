"""Plots of training: loss/accuracy curves, learned filters, feature maps, confusion matrix, mistakes.

Each function draws with matplotlib (labelled axes, a title) and returns the ``Figure``; the arrays come
from :mod:`convlearn.train`, :mod:`convlearn.inspect` and :mod:`convlearn.experiments`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_history",
    "plot_filters",
    "plot_filters_before_after",
    "plot_feature_maps",
    "plot_confusion_matrix",
    "plot_misclassified",
    "plot_flip_experiment",
    "plot_kernel_recovery",
    "plot_shift_experiment",
    "plot_loss_curves",
    "plot_descent_paths",
]


def _grid(n: int, ncols: int | None = None) -> tuple[int, int]:
    ncols = ncols or min(n, 8)
    return math.ceil(n / ncols), ncols


def plot_history(history, *, title: str = "Training history"):
    """Loss (left) and accuracy (right) per epoch; validation curves too when recorded."""
    epochs = np.arange(1, history.epochs + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
    ax_loss.plot(epochs, history.train_loss, "o-", label="training")
    ax_acc.plot(epochs, history.train_accuracy, "o-", label="training")
    if history.val_loss:
        ax_loss.plot(epochs, history.val_loss, "s--", label="validation")
        ax_acc.plot(epochs, history.val_accuracy, "s--", label="validation")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig


def plot_filters(weights: np.ndarray, *, in_channel: int | None = 0, ncols: int | None = None,
                 title: str = "Learned filters"):
    """Show the kernels of one convolution layer, ``weights : (C_out, C_in, k_H, k_W)``, one panel per output channel.

    ``in_channel`` selects the input channel shown (``None``: the sum over input channels). The colour
    scale is symmetric around 0 (red positive, blue negative) and shared by all panels.
    """
    w = np.asarray(weights)
    if w.ndim != 4:
        raise ValueError(f"weights must have shape (C_out, C_in, k_H, k_W), got {w.shape}")
    k = w.sum(axis=1) if in_channel is None else w[:, in_channel]
    vmax = float(np.abs(k).max()) or 1.0
    rows, cols = _grid(k.shape[0], ncols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.4 * cols, 1.4 * rows + 0.6), squeeze=False, layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i < k.shape[0]:
            im = ax.imshow(k[i], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            ax.set_title(f"filter {i}", fontsize=8)
        else:
            ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("n (column)", fontsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel("m (row)", fontsize=7)
    fig.colorbar(im, ax=axes, shrink=0.8, label="weight")
    fig.suptitle(title)
    return fig


def plot_filters_before_after(before: np.ndarray, after: np.ndarray, *, in_channel: int = 0,
                              title: str = "Kernels before and after training"):
    """Kernels of one convolution layer at initialisation (top row) and after training (bottom row).

    ``before`` and ``after`` are ``(C_out, C_in, k_H, k_W)`` weights of the same layer; input channel
    ``in_channel`` is shown. Both rows share one colour scale symmetric around 0 (red positive, blue
    negative), so a kernel's change is visible as a change of colour in its column.
    """
    b, a = np.asarray(before), np.asarray(after)
    if b.ndim != 4 or b.shape != a.shape:
        raise ValueError(f"before and after must be (C_out, C_in, k_H, k_W) of equal shape, "
                         f"got {b.shape} and {a.shape}")
    rows = [(b[:, in_channel], "before"), (a[:, in_channel], "after")]
    vmax = max(float(np.abs(k).max()) for k, _ in rows) or 1.0
    n = b.shape[0]
    fig, axes = plt.subplots(2, n, figsize=(0.8 * n + 1.4, 2.6), squeeze=False, layout="constrained")
    for r, (kernels, label) in enumerate(rows):
        for i in range(n):
            ax = axes[r, i]
            im = ax.imshow(kernels[i], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(str(i), fontsize=7)
        axes[r, 0].set_ylabel(f"{label}\nm (row)", fontsize=7)
    for ax in axes[1]:
        ax.set_xlabel("n", fontsize=7)
    fig.colorbar(im, ax=axes, shrink=0.8, label="weight")
    fig.suptitle(f"{title} (columns: output channel)")
    return fig


def plot_feature_maps(maps: Sequence, *, max_channels: int = 8, title: str = "Feature maps"):
    """One row per layer output from :func:`convlearn.inspect.feature_maps` (image-like outputs only).

    Shows up to ``max_channels`` channels of each ``(C, H, W)`` output; 1-D outputs (after ``Flatten``)
    are skipped.
    """
    maps = [m for m in maps if np.ndim(m.array) == 3]
    if not maps:
        raise ValueError("no (C, H, W) feature maps to show")
    cols = min(max_channels, max(m.array.shape[0] for m in maps))
    fig, axes = plt.subplots(len(maps), cols, figsize=(1.3 * cols + 1.5, 1.4 * len(maps) + 0.5), squeeze=False,
                             layout="constrained")
    for r, m in enumerate(maps):
        for c in range(cols):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            if c < m.array.shape[0]:
                ax.imshow(m.array[c], cmap="viridis")
                if r == 0:
                    ax.set_title(f"channel {c}", fontsize=7)
            else:
                ax.axis("off")
        axes[r, 0].set_ylabel(f"layer {m.name}\n{m.layer.split('(')[0]}\n{m.array.shape[1]}×{m.array.shape[2]}",
                              fontsize=7)
    fig.supxlabel("channel (column: width position, row: height position inside each panel)", fontsize=8)
    fig.suptitle(title)
    return fig


def plot_confusion_matrix(cm: np.ndarray, class_names: Sequence[str] | None = None, *,
                          title: str = "Confusion matrix"):
    """Heat map of a ``(K, K)`` confusion matrix, counts written in the cells (rows: true, columns: predicted)."""
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be a square (K, K) matrix, got shape {cm.shape}")
    k = cm.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    fig, ax = plt.subplots(figsize=(0.45 * k + 2.5, 0.45 * k + 2), layout="constrained")
    im = ax.imshow(cm, cmap="Blues")
    for i in range(k):
        for j in range(k):
            if cm[i, j]:
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set(xlabel="predicted class", ylabel="true class", title=title)
    fig.colorbar(im, ax=ax, label="number of examples")
    return fig


def plot_misclassified(mis, class_names: Sequence[str] | None = None, *, n: int = 12,
                       title: str = "Misclassified examples"):
    """The first ``n`` mistakes of :func:`convlearn.inspect.misclassified` with true/predicted labels."""
    m = min(n, len(mis.indices))
    if m == 0:
        fig, ax = plt.subplots(figsize=(4, 1))
        ax.axis("off")
        ax.set_title(f"{title}: none")
        return fig
    names = (lambda c: class_names[c]) if class_names is not None else str
    rows, cols = _grid(m, min(m, 6))
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.8 * rows + 0.4), squeeze=False, layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= m:
            ax.axis("off")
            continue
        ax.imshow(mis.images[i, 0], cmap="gray_r")
        ax.set_title(f"true {names(mis.y_true[i])}, pred {names(mis.y_pred[i])}\np = {mis.confidence[i]:.2f}",
                     fontsize=7)
    fig.suptitle(title)
    return fig


def plot_flip_experiment(result, *, title: str = "Cross-correlation vs true convolution"):
    """Loss curves of both networks of :func:`convlearn.experiments.flip_experiment` and their first-layer kernels."""
    fig = plt.figure(figsize=(10, 3.8), layout="constrained")
    gs = fig.add_gridspec(2, 4)
    ax = fig.add_subplot(gs[:, :2])
    steps = np.arange(1, len(result.loss_correlation) + 1)
    ax.plot(steps, result.loss_correlation, lw=3, alpha=0.5, label="cross-correlation layers")
    ax.plot(steps, result.loss_convolution, "k--", lw=1, label="true-convolution layers")
    ax.set(xlabel="optimisation step", ylabel="training loss",
           title=f"losses (max difference {result.max_loss_difference:.1e})")
    ax.legend()
    k_corr = result.kernels_correlation[0][:, 0]
    k_conv = result.kernels_convolution[0][:, 0]
    vmax = float(np.abs(k_corr).max()) or 1.0
    panels = [(k_corr[0], "K_corr (filter 0)"), (k_conv[0], "K_conv (filter 0)"),
              (np.flip(k_conv[0]), "flip(K_conv)"), (k_corr[0] - np.flip(k_conv[0]), "K_corr − flip(K_conv)")]
    for (img, label), pos in zip(panels, [gs[0, 2], gs[0, 3], gs[1, 2], gs[1, 3]], strict=True):
        a = fig.add_subplot(pos)
        a.imshow(img, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        a.set_title(label, fontsize=8)
        a.set_xlabel("n", fontsize=7)
        a.set_ylabel("m", fontsize=7)
        a.set_xticks([])
        a.set_yticks([])
    fig.suptitle(title)
    return fig


def plot_kernel_recovery(results: Sequence, *, title: str = "Learning a known kernel"):
    """The kernels learned by :func:`convlearn.experiments.learn_known_kernel` and their loss curves.

    Left: the true kernel, then one panel per result with the learned kernel, weights written in the cells
    (shared symmetric colour scale, red positive). Right: the loss at every step on a logarithmic axis.

    Parameters
    ----------
    results : sequence of KernelRecovery
        Typically two runs with the same ``true_kernel``, one with ``target="correlation"`` and one with
        ``target="convolution"``.
    """
    results = list(results)
    if not results:
        raise ValueError("results must contain at least one KernelRecovery")
    true = np.asarray(results[0].true_kernel)
    panels = [(true, "true kernel K")] + [(np.asarray(r.learned), f"learned, {r.target}\ntargets") for r in results]
    vmax = max(float(np.abs(k).max()) for k, _ in panels) or 1.0
    n = len(panels)
    fig = plt.figure(figsize=(2.1 * n + 4.2, 3.2), layout="constrained")
    gs = fig.add_gridspec(1, n + 2)
    for i, (k, label) in enumerate(panels):
        ax = fig.add_subplot(gs[0, i])
        ax.imshow(k, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        for (m, c), v in np.ndenumerate(k):
            ax.text(c, m, f"{0.0 if abs(v) < 5e-3 else v:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if abs(v) > 0.6 * vmax else "black")
        ax.set_title(label, fontsize=8)
        # ticks in the centred indices of Part I: m, n = -(size // 2), ..., the centre is 0
        ax.set_xticks(range(k.shape[1]), [str(c - k.shape[1] // 2) for c in range(k.shape[1])])
        ax.set_yticks(range(k.shape[0]), [str(r - k.shape[0] // 2) for r in range(k.shape[0])])
        ax.set_xlabel("column n", fontsize=7)
        ax.set_ylabel("row m", fontsize=7)
        ax.tick_params(labelsize=6)
    ax = fig.add_subplot(gs[0, n:])
    for r in results:
        ax.semilogy(np.arange(len(r.loss)), r.loss, "o-", ms=2, label=f"{r.target} targets")
    ax.set(xlabel="gradient-descent step", ylabel="loss, ½ × mean squared error", title="loss")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig


def plot_shift_experiment(result, *, title: str = "Tested on shifted digits"):
    """Test accuracy against the shift of the test digits, for both networks of
    :func:`convlearn.experiments.shift_experiment`: a thin line per run (seed), a thick line for the mean.
    """
    fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
    shifts = np.asarray(result.shifts)
    for acc, colour, marker, name, n_p in ((result.accuracy_cnn, "C0", "o", "CNN", result.params_cnn),
                                           (result.accuracy_mlp, "C1", "s", "MLP", result.params_mlp)):
        for row in acc:
            ax.plot(shifts, row, color=colour, lw=0.8, alpha=0.45)
        ax.plot(shifts, acc.mean(axis=0), color=colour, lw=2.5, marker=marker,
                label=f"{name} ({n_p} parameters): mean of {len(acc)} runs")
    ax.axhline(0.1, color="0.5", ls=":", lw=1, label="chance (10 classes)")
    ax.set(xlabel="shift of the test digits (pixels)", ylabel="test accuracy", xticks=shifts, ylim=(0, 1),
           title=title)
    ax.legend(loc="lower left", fontsize=8)
    return fig


def plot_loss_curves(curves: Mapping[str, Sequence[float]], *, xlabel: str = "epoch",
                     ylabel: str = "training loss", title: str = "Training loss", log: bool = True):
    """Several loss curves on one axes, e.g. the same network trained with different optimisers.

    Parameters
    ----------
    curves : mapping of str -> sequence of float
        One curve per entry, its name in the legend; value ``i`` is drawn at x = ``i + 1`` (epoch 1, 2, ...).
    xlabel, ylabel, title : str
        Axis labels and title.
    log : bool
        Logarithmic loss axis (a loss that shrinks by a constant factor per epoch is then a straight line).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not curves:
        raise ValueError("curves is empty: give at least one named loss curve")
    fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
    markers = "osD^v<>"
    for i, (name, values) in enumerate(curves.items()):
        y = np.asarray(values, dtype=float)
        if y.ndim != 1 or y.size == 0:
            raise ValueError(f"curve {name!r} must be a non-empty 1-D sequence, got shape {y.shape}")
        ax.plot(np.arange(1, y.size + 1), y, marker=markers[i % len(markers)], label=name)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return fig


def plot_descent_paths(loss, paths: Mapping[str, np.ndarray], *, xlim: tuple[float, float],
                       ylim: tuple[float, float], levels: int = 12,
                       xlabel: str = r"$\theta_1$", ylabel: str = r"$\theta_2$",
                       title: str = "Gradient descent on a loss of two parameters"):
    """Contour lines of a loss of two parameters, with gradient-descent paths drawn over them.

    Parameters
    ----------
    loss : callable
        ``loss(t1, t2)`` evaluated elementwise on two arrays of the same shape (a NumPy expression).
    paths : mapping of str -> array of shape (steps + 1, 2)
        One path per entry, its name in the legend: the parameters before the first step and after each.
    xlim, ylim : tuple of float
        The plotted range of the two parameters.
    levels : int
        Number of contour lines (each is a set of parameters with equal loss).
    xlabel, ylabel, title : str
        Axis labels and title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes, with equal scales on both axes so that the gradient is drawn perpendicular to the contours.
    """
    if not paths:
        raise ValueError("paths is empty: give at least one named path")
    t1, t2 = np.meshgrid(np.linspace(*xlim, 201), np.linspace(*ylim, 201))
    fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    cs = ax.contour(t1, t2, loss(t1, t2), levels=levels, colors="0.6", linewidths=0.8)
    ax.clabel(cs, fontsize="x-small", fmt="%.2g")
    markers = "osD^v<>"
    for i, (name, path) in enumerate(paths.items()):
        pts = np.asarray(path, dtype=float)
        if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] < 1:
            raise ValueError(f"path {name!r} must have shape (steps + 1, 2), got {pts.shape}")
        ax.plot(pts[:, 0], pts[:, 1], marker=markers[i % len(markers)], ms=4, label=name)
    start = np.asarray(next(iter(paths.values())), dtype=float)[0]
    ax.annotate("start", start, textcoords="offset points", xytext=(8, -12))
    ax.set(xlim=xlim, ylim=ylim, xlabel=xlabel, ylabel=ylabel, title=title, aspect="equal")
    ax.legend(fontsize="small", loc="lower right")
    return fig
