"""CNN operations as pure functions on NumPy arrays, with the numbers of ``torch.nn.functional``.

Layout is channels-first with a batch axis: ``(N, C, L)``, ``(N, C, H, W)``, ``(N, C, D, H, W)``; weights
are ``(C_out, C_in/groups, *kernel)`` (``(C_in, C_out/groups, *kernel)`` for transposed convolutions).
float32 in gives float32 out; everything else is computed in float64.

Every operation has a fast path (the functions here) and a readable loop version in
:mod:`convlearn.nn.functional.reference`, tested against each other and against PyTorch.

* convolutions: :func:`conv1d`, :func:`conv2d`, :func:`conv3d` and their gradients
  :func:`conv1d_backward`, :func:`conv2d_backward`, :func:`conv3d_backward`;
* transposed convolution: :func:`conv_transpose2d`, :func:`conv_transpose2d_backward`;
* pooling: :func:`max_pool2d`, :func:`avg_pool2d`, :func:`max_pool2d_backward`, :func:`avg_pool2d_backward`;
* im2col: :func:`im2col`, :func:`col2im`;
* arithmetic: :func:`conv_output_size`, :func:`conv_transpose_output_size`, :func:`receptive_field`
  with :class:`LayerGeometry` and :class:`ReceptiveField`.
"""

from .arithmetic import (
    LayerGeometry,
    ReceptiveField,
    conv_output_size,
    conv_transpose_output_size,
    receptive_field,
)
from .conv import conv1d, conv1d_backward, conv2d, conv2d_backward, conv3d, conv3d_backward
from .im2col import col2im, im2col
from .pooling import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward, pool_output_size
from .transpose import conv_transpose2d, conv_transpose2d_backward

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv1d_backward",
    "conv2d_backward",
    "conv3d_backward",
    "conv_transpose2d",
    "conv_transpose2d_backward",
    "max_pool2d",
    "avg_pool2d",
    "max_pool2d_backward",
    "avg_pool2d_backward",
    "pool_output_size",
    "im2col",
    "col2im",
    "conv_output_size",
    "conv_transpose_output_size",
    "receptive_field",
    "LayerGeometry",
    "ReceptiveField",
]
