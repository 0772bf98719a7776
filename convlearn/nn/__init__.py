"""Neural-network building blocks: ``convlearn.nn.functional`` (pure operations) and layers.

Layers have an explicit ``forward(x)`` and ``backward(grad_out)`` (no automatic differentiation), follow
PyTorch's constructor arguments and parameter shapes, and list their trainable arrays with
``parameters()``. Optimisers live in :mod:`convlearn.nn.optim`, initialisers in :mod:`convlearn.nn.init`.
"""

from convlearn.nn import init, optim
from convlearn.nn.layers import (
    AvgPool2d,
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose2d,
    Dropout,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
    Sequential,
)
from convlearn.nn.loss import CrossEntropyLoss, log_softmax, softmax
from convlearn.nn.module import Module, Parameter

__all__ = [
    "init",
    "optim",
    "Module",
    "Parameter",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose2d",
    "MaxPool2d",
    "AvgPool2d",
    "ReLU",
    "Flatten",
    "Linear",
    "Dropout",
    "Sequential",
    "CrossEntropyLoss",
    "log_softmax",
    "softmax",
]
