"""The flip experiment: cross-correlation and true-convolution networks learn flipped kernels, same losses."""

from __future__ import annotations

import numpy as np
import pytest

from convlearn.experiments import flip_experiment


def test_flip_experiment_same_losses_and_flipped_kernels():
    r = flip_experiment(seed=1, n_train=128, epochs=2, batch_size=32)
    assert len(r.loss_correlation) == len(r.loss_convolution) == 2 * 4
    assert r.max_loss_difference <= 1e-12
    np.testing.assert_allclose(r.loss_correlation, r.loss_convolution, rtol=1e-12)
    assert r.max_kernel_difference <= 1e-12
    for k_corr, k_conv in zip(r.kernels_correlation, r.kernels_convolution, strict=True):
        np.testing.assert_allclose(k_corr, np.flip(k_conv, axis=(2, 3)), atol=1e-12)
        # the kernels did change during training and are not symmetric, so the flip is not trivial
        assert not np.allclose(k_corr, k_conv)
    assert r.loss_correlation[-1] < r.loss_correlation[0]
    assert r.test_accuracy_correlation == r.test_accuracy_convolution


SOBEL_X = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])


def test_learn_known_kernel_recovers_sobel_rotated_for_convolution_targets():
    from convlearn.experiments import learn_known_kernel

    conv = learn_known_kernel(SOBEL_X, target="convolution", seed=0)
    np.testing.assert_allclose(conv.learned, SOBEL_X[::-1, ::-1], atol=1e-6)
    assert conv.error_flipped < 1e-6 and conv.error == pytest.approx(4.0, abs=1e-5)  # Sobel is antisymmetric
    corr = learn_known_kernel(SOBEL_X, target="correlation", seed=0)
    np.testing.assert_allclose(corr.learned, SOBEL_X, atol=1e-6)
    for r in (conv, corr):
        assert r.loss.shape == (41,) and r.loss[0] > 1.0 and r.loss[-1] < 1e-12
        assert np.all(np.diff(r.loss) < 0)  # gradient descent on a well-conditioned quadratic


def test_learn_known_kernel_rectangular_kernel_agrees_with_the_minimiser():
    from convlearn.experiments import learn_known_kernel

    rng = np.random.default_rng(5)
    k = rng.standard_normal((2, 3))
    k0 = k.copy()
    r = learn_known_kernel(k, target="convolution", n_images=8, size=9, steps=200, lr=0.5, seed=rng)
    np.testing.assert_array_equal(k, k0)  # input not modified
    # the least-squares minimiser, solved independently: correlation with flip(k) reproduces the targets
    np.testing.assert_allclose(r.learned, np.flip(k), atol=1e-8)
    with pytest.raises(ValueError, match="target"):
        learn_known_kernel(k, target="both")
    with pytest.raises(ValueError, match="kernel"):
        learn_known_kernel(np.ones(3))
    with pytest.raises(ValueError, match="kernel"):
        learn_known_kernel(np.ones((5, 5)), size=4)


def test_plot_kernel_recovery_draws_the_learned_kernels_and_losses():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convlearn.experiments import learn_known_kernel
    from convlearn.viz.training import plot_kernel_recovery

    runs = [learn_known_kernel(SOBEL_X, target=t, steps=5) for t in ("correlation", "convolution")]
    fig = plot_kernel_recovery(runs)
    kernel_axes, loss_ax = fig.axes[:3], fig.axes[3]
    for ax, expected in zip(kernel_axes, [SOBEL_X, runs[0].learned, runs[1].learned], strict=True):
        np.testing.assert_array_equal(ax.images[0].get_array(), expected)
        assert ax.get_xlabel() == "column n" and ax.get_ylabel() == "row m"
        # Part I's centred indices: -1, 0, 1 for a 3x3 kernel
        assert [t.get_text() for t in ax.get_xticklabels()] == ["-1", "0", "1"]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["-1", "0", "1"]
    assert [ln.get_ydata().tolist() for ln in loss_ax.lines] == [r.loss.tolist() for r in runs]
    assert loss_ax.get_yscale() == "log" and loss_ax.get_xlabel() == "gradient-descent step"
    assert loss_ax.get_ylabel() == "loss, ½ × mean squared error"  # L = (1/2M) Σ (y − t)²
    plt.close(fig)
    with pytest.raises(ValueError, match="results"):
        plot_kernel_recovery([])


def test_plot_filters_before_after_shows_both_rows_on_one_scale(rng):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convlearn.viz.training import plot_filters_before_after

    before, after = rng.standard_normal((2, 5, 2, 3, 3))
    fig = plot_filters_before_after(before, after, in_channel=1)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 10
    for i in range(5):
        np.testing.assert_array_equal(images[i].get_array(), before[i, 1])
        np.testing.assert_array_equal(images[5 + i].get_array(), after[i, 1])
    vmax = max(np.abs(before[:, 1]).max(), np.abs(after[:, 1]).max())
    assert all(im.get_clim() == (-vmax, vmax) for im in images)
    plt.close(fig)
    with pytest.raises(ValueError, match="before and after"):
        plot_filters_before_after(before, after[:3])
