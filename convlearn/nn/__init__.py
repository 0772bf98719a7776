"""Neural-network building blocks: ``convlearn.nn.functional`` (pure operations) and layers.

Layers have an explicit ``forward(x)`` and ``backward(grad_out)`` (no automatic differentiation), follow
PyTorch's constructor arguments and parameter shapes, and list their trainable arrays with
``parameters()``. Optimisers live in :mod:`convlearn.nn.optim`, initialisers in :mod:`convlearn.nn.init`.
"""

from convlearn.nn import init, layers, optim
from convlearn.nn.layers import *  # noqa: F403 -- every layer, listed once in layers.__all__
from convlearn.nn.loss import CrossEntropyLoss, log_softmax, softmax
from convlearn.nn.module import Module, Parameter

__all__ = [
    "init",
    "optim",
    "Module",
    "Parameter",
    *layers.__all__,
    "CrossEntropyLoss",
    "log_softmax",
    "softmax",
]
