"""Cases shared by the test files: layer cases for ``test_nn_layers.py`` (gradients) and ``test_torch_parity.py``
(PyTorch), and the random transposed-convolution generator of ``test_functional.py`` and ``test_torch_parity.py``."""

from __future__ import annotations

import numpy as np

from convlearn import nn

# (factory, input shape) -- small enough for central differences, covering stride/padding/dilation/groups.
LAYER_CASES = {
    "conv1d": (lambda: nn.Conv1d(2, 4, 3, stride=2, padding=1, rng=1), (2, 2, 9)),
    "conv1d_groups_dil": (lambda: nn.Conv1d(4, 6, 2, dilation=3, groups=2, rng=2), (2, 4, 10)),
    "conv2d": (lambda: nn.Conv2d(2, 3, 3, padding=1, rng=3), (2, 2, 5, 5)),
    "conv2d_all": (lambda: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2, rng=4),
                   (2, 4, 7, 6)),
    "conv2d_same_even": (lambda: nn.Conv2d(2, 2, 4, padding="same", dilation=1, rng=5), (1, 2, 6, 5)),
    "conv2d_valid_nobias": (lambda: nn.Conv2d(1, 3, 3, padding="valid", bias=False, rng=6), (2, 1, 6, 6)),
    "conv2d_convolution_mode": (lambda: nn.Conv2d(2, 3, (3, 2), padding=1, mode="convolution", rng=7), (2, 2, 5, 4)),
    "conv3d": (lambda: nn.Conv3d(2, 4, (2, 3, 2), stride=(1, 2, 1), padding=(0, 1, 1), groups=2, rng=8),
               (1, 2, 4, 5, 3)),
    "conv_transpose2d": (lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, rng=9),
                         (2, 4, 3, 3)),
    "conv_transpose2d_dil": (lambda: nn.ConvTranspose2d(2, 3, 2, stride=(1, 2), dilation=2, rng=10), (1, 2, 3, 4)),
    "maxpool": (lambda: nn.MaxPool2d(2), (2, 3, 6, 6)),
    "maxpool_all": (lambda: nn.MaxPool2d(3, stride=2, padding=1, dilation=1, ceil_mode=True), (2, 2, 7, 6)),
    "maxpool_dil": (lambda: nn.MaxPool2d(2, stride=1, dilation=2), (1, 2, 6, 5)),
    "avgpool": (lambda: nn.AvgPool2d(2), (2, 3, 6, 6)),
    "avgpool_all": (lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
                    (2, 2, 7, 6)),
    "relu": (lambda: nn.ReLU(), (3, 2, 4, 4)),
    "flatten": (lambda: nn.Flatten(), (3, 2, 4, 4)),
    "linear": (lambda: nn.Linear(7, 4, rng=11), (5, 7)),
}


def random_transpose(rng, *, wide=False, dtype=np.float64, bias=0.7):
    """A random valid transposed convolution: ``(x, weight, bias, kwargs)`` with 2-D spatial axes.

    ``wide`` draws from larger ranges (groups up to 3, kernels up to 4, inputs up to 6 wide, up to 3 images);
    ``bias`` is the probability of a bias (at 1 it is always drawn, and no coin is tossed for it).
    """
    groups = int(rng.choice([1, 1, 2, 3] if wide else [1, 1, 2]))
    c_in = groups * int(rng.integers(1, 3))
    c_out = groups * int(rng.integers(1, 3))
    kernel = tuple(int(k) for k in rng.integers(1, 4 + wide, size=2))
    stride = tuple(int(s) for s in rng.integers(1, 4, size=2))
    dilation = tuple(int(d) for d in rng.integers(1, 3, size=2))
    spatial = tuple(int(v) for v in rng.integers(1, 6 + wide, size=2))
    padding = tuple(int(rng.integers(0, 1 + min(2, ((n - 1) * s + d * (k - 1)) // 2)))
                    for n, s, d, k in zip(spatial, stride, dilation, kernel, strict=True))
    output_padding = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation, strict=True))
    x = rng.standard_normal((int(rng.integers(1, 3 + wide)), c_in) + spatial).astype(dtype)
    w = rng.standard_normal((c_in, c_out // groups) + kernel).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype) if bias >= 1 or rng.random() < bias else None
    return x, w, b, dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups,
                         dilation=dilation)
