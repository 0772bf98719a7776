"""The flip experiment: cross-correlation and true-convolution networks learn flipped kernels, same losses."""

from __future__ import annotations

import numpy as np

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
