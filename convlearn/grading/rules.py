"""The course's forbidden lists: for each kind of exercise, the library routines that do the work it asks for.

Course data, not machinery: a test cell passes one of these to ``Checks(forbidden=...)``; while a case runs
(in the student's kernel, or the sandboxed kernel when grading) :func:`convlearn.grading.limits.forbid` blocks
them, and the grader's source check (:mod:`convlearn.grading.grader.scan`) looks for them. A new assignment's
list goes here. ``tests/test_grading_isolation.py`` checks that every NumPy, SciPy and convlearn name still
resolves (a renamed routine would otherwise silently stop being blocked).
"""

from __future__ import annotations

__all__ = ["INTEGRALS", "CONV_1D", "CONV_2D", "CONV_LAYER", "CONV_BACKWARD", "CNN_LAYERS"]

# Library routines that do the work an exercise asks for; blocked while the student's code runs.
INTEGRALS = (
    "convlearn.continuous.convolve",
    "convlearn.continuous.riemann_convolve",
    "scipy.integrate.quad",
    "scipy.integrate.quad_vec",
    "scipy.integrate.trapezoid",
    "scipy.integrate.simpson",
    "numpy.trapezoid",
    "numpy.convolve",
    "scipy.signal.convolve",
    "scipy.signal.fftconvolve",
)
CONV_1D = (
    "numpy.convolve",
    "numpy.correlate",
    "numpy.polymul",
    "numpy.fft.fft",
    "numpy.fft.rfft",
    "scipy.signal.convolve",
    "scipy.signal.correlate",
    "scipy.signal.fftconvolve",
    "scipy.signal.oaconvolve",
    "scipy.signal.lfilter",
    "scipy.linalg.toeplitz",
    "scipy.linalg.convolution_matrix",
    "scipy.ndimage.convolve1d",
    "scipy.ndimage.correlate1d",
    "convlearn.signal.convolve1d",
    "convlearn.signal.correlate1d",
    "convlearn.signal.fftconvolve",
    "convlearn.signal.convolution_matrix_1d",
    "convlearn.signal.reference.convolve1d_loops",
    "convlearn.signal.reference.correlate1d_loops",
)
CONV_2D = (
    "numpy.convolve",
    "numpy.correlate",
    "numpy.fft.fft2",
    "numpy.fft.rfft2",
    "scipy.signal.convolve",
    "scipy.signal.correlate",
    "scipy.signal.convolve2d",
    "scipy.signal.correlate2d",
    "scipy.signal.fftconvolve",
    "scipy.signal.oaconvolve",
    "scipy.ndimage.convolve",
    "scipy.ndimage.correlate",
    "convlearn.signal.convolve2d",
    "convlearn.signal.correlate2d",
    "convlearn.signal.fftconvolve",
    "convlearn.signal.separable_convolve2d",
    "convlearn.signal.convolution_matrix_2d",
    "convlearn.signal.reference.convolve2d_loops",
    "convlearn.signal.reference.correlate2d_loops",
    "convlearn.signal.reference.centred_sum",
)
CONV_LAYER = CONV_2D + (
    "convlearn.nn.functional.conv1d",
    "convlearn.nn.functional.conv2d",
    "convlearn.nn.functional.conv3d",
    "convlearn.nn.functional.conv_transpose2d",
    "convlearn.nn.functional.im2col",
    "convlearn.nn.functional.conv_output_size",
    "convlearn.nn.functional.reference.conv2d_loops",
    "torch.nn.functional.conv2d",
)
CONV_BACKWARD = CONV_LAYER + (
    "convlearn.nn.functional.conv2d_backward",
    "convlearn.nn.functional.col2im",
    "convlearn.nn.functional.max_pool2d",
    "convlearn.nn.functional.avg_pool2d",
    "convlearn.nn.functional.max_pool2d_backward",
    "convlearn.nn.functional.avg_pool2d_backward",
    "convlearn.nn.functional.reference.conv2d_backward_loops",
    "convlearn.nn.functional.reference.max_pool2d_loops",
    "convlearn.nn.functional.reference.avg_pool2d_loops",
    "convlearn.nn.functional.reference.max_pool2d_backward_loops",
    "convlearn.nn.functional.reference.avg_pool2d_backward_loops",
    "convlearn.gradcheck.numerical_gradient",
    "convlearn.gradcheck.check_gradient",
)


CNN_LAYERS = CONV_BACKWARD + tuple(
    f"convlearn.nn.{name}" for name in ("Conv2d", "MaxPool2d", "AvgPool2d", "Linear", "Sequential")
)
