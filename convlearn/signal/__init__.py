"""Discrete convolution and cross-correlation in 1-D, 2-D and 3-D, with NumPy/SciPy's numbers.

Public functions (fast paths; the readable loops they are tested against are in
``convlearn.signal.reference``):

- :func:`convolve1d`, :func:`correlate1d` -- ``numpy.convolve``, ``numpy.correlate``
- :func:`convolve2d`, :func:`correlate2d` -- ``scipy.signal.convolve2d``, ``scipy.signal.correlate2d``
- :func:`fftconvolve` -- ``scipy.signal.fftconvolve`` for 1-D, 2-D and 3-D arrays
- :func:`convolution_matrix_1d`, :func:`convolution_matrix_2d` -- convolution as a (doubly block) Toeplitz matrix
- :func:`separable_convolve2d`, :func:`separate_kernel` -- rank-1 kernels as two 1-D passes
"""

from . import reference as reference  # the readable loops: convlearn.signal.reference
from .convolution import convolve1d, convolve2d, correlate1d, correlate2d, fftconvolve
from .matrices import convolution_matrix_1d, convolution_matrix_2d
from .separable import separable_convolve2d, separate_kernel

__all__ = [
    "convolve1d",
    "correlate1d",
    "convolve2d",
    "correlate2d",
    "fftconvolve",
    "convolution_matrix_1d",
    "convolution_matrix_2d",
    "separable_convolve2d",
    "separate_kernel",
]
