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


def test_on_canvas_places_and_shifts_like_pad_and_roll():
    from convlearn.experiments import on_canvas

    x = np.random.default_rng(0).random((3, 1, 4, 5))
    centred = on_canvas(x, 2)
    np.testing.assert_array_equal(centred, np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2))))
    offsets = np.array([[1, -2], [0, 0], [-2, 2]])
    moved = on_canvas(x, 2, offsets)
    for img, c, (dy, dx) in zip(moved, centred, offsets, strict=True):
        np.testing.assert_array_equal(img, np.roll(c, (dy, dx), axis=(1, 2)))  # blank border: roll = shift
    with pytest.raises(ValueError, match="offset"):
        on_canvas(x, 1, offsets)


def test_shift_cnn_ignores_a_shift_that_stays_away_from_the_border():
    from convlearn.experiments import on_canvas, shift_cnn

    # a 4x4 blob on a 16x16 canvas: margin 6, so after moving by 2 it is still 4 pixels from every edge,
    # beyond the reach (2 pixels) of the two 3x3 layers -- the feature maps just move, and their average not
    net = shift_cnn(16, seed=3)
    blob = np.random.default_rng(1).random((1, 1, 4, 4))
    y0 = net.forward(on_canvas(blob, 6))
    y1 = net.forward(on_canvas(blob, 6, np.array([[2, -1]])))
    np.testing.assert_allclose(y1, y0, rtol=1e-12, atol=1e-12)
    assert not np.allclose(y0, net.forward(on_canvas(blob[..., ::-1, :].copy(), 6)))  # but it sees the pattern


def test_shift_mlp_size_matches_the_requested_count():
    from convlearn.experiments import shift_mlp

    mlp = shift_mlp(144, 5130)
    h = mlp.layers[1].weight.value.shape[0]
    assert sum(p.value.size for p in mlp.parameters()) == 145 * h + 10 * h + 10
    assert abs(155 * h + 10 - 5130) <= 155 / 2


def test_shift_experiment_tiny_run_has_the_promised_shapes_and_sizes():
    from convlearn.experiments import shift_experiment

    r = shift_experiment(seeds=(0, 1), n_train=20, shifts=(0, 2), epochs=1, channels=(2, 4))
    assert r.accuracy_cnn.shape == r.accuracy_mlp.shape == (2, 2)
    for acc in (r.accuracy_cnn, r.accuracy_mlp):
        assert np.all((acc >= 0) & (acc <= 1))
    assert r.canvas == 12 and r.n_train == 20 and list(r.shifts) == [0, 2]
    assert abs(r.params_cnn - r.params_mlp) <= (144 + 11) / 2
    again = shift_experiment(seeds=(0, 1), n_train=20, shifts=(0, 2), epochs=1, channels=(2, 4))
    np.testing.assert_array_equal(again.accuracy_cnn, r.accuracy_cnn)                  # seeded: reproducible
    with pytest.raises(ValueError, match="multiple of 10"):
        shift_experiment(n_train=25)
    with pytest.raises(ValueError, match="shift"):
        shift_experiment(shifts=(3,), margin=2)


def test_paired_comparison_against_the_textbook_formulas():
    from scipy import stats

    from convlearn.experiments import paired_comparison

    a = np.array([0.8, 0.7, 0.9, 0.85, 0.75, 0.8])
    b = np.array([0.6, 0.65, 0.7, 0.6, 0.72, 0.5])
    r = paired_comparison(a, b)
    d = a - b
    se = d.std(ddof=1) / np.sqrt(6)
    assert r.mean == pytest.approx(d.mean())
    assert (r.ci_low, r.ci_high) == pytest.approx((d.mean() - 2.570582 * se, d.mean() + 2.570582 * se), rel=1e-6)
    t = d.mean() / se                                       # paired t statistic, 5 degrees of freedom
    assert r.t_pvalue == pytest.approx(2 * stats.t.sf(t, 5))
    # all six differences positive: the exact signed-rank p-value is 2 / 2^6
    assert r.wilcoxon_pvalue == pytest.approx(2 / 64)
    with pytest.raises(ValueError):
        paired_comparison([1.0], [0.0])


def test_plot_shift_experiment_draws_every_run_and_the_means():
    from convlearn.experiments import ShiftExperiment
    from convlearn.viz.training import plot_shift_experiment

    acc_cnn = np.array([[0.9, 0.8, 0.7], [0.8, 0.8, 0.6]])
    acc_mlp = np.array([[0.95, 0.3, 0.1], [0.9, 0.4, 0.2]])
    r = ShiftExperiment(shifts=np.array([0, 1, 2]), seeds=np.array([0, 1]), accuracy_cnn=acc_cnn,
                        accuracy_mlp=acc_mlp, params_cnn=100, params_mlp=101, n_train=20, canvas=12)
    fig = plot_shift_experiment(r)
    ax = fig.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    ys = [tuple(np.round(line.get_ydata(), 6)) for line in ax.get_lines()]
    for row in (*acc_cnn, *acc_mlp, acc_cnn.mean(axis=0), acc_mlp.mean(axis=0)):
        assert tuple(np.round(row, 6)) in ys
    import matplotlib.pyplot as plt

    plt.close(fig)
