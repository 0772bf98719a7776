"""Layer cases shared by ``test_nn_layers.py`` (gradients) and ``test_torch_parity.py`` (PyTorch)."""

from __future__ import annotations

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
