"""Patch the grader's helpers in the kernel: Checks.earned, Checks.score, expect_close, CaseResult.

expect: 0
"""
# %% conv_full
import convlearn.grading as grading

grading.Checks.earned = lambda self: self.points
grading.Checks.score = lambda self: self.points
grading.Checks.fraction = lambda self: 1.0
grading.expect_close = lambda *args, **kwargs: None
grading.expect_shape = lambda actual, shape, what="": actual


def convolve_full(x, k):
    raise NotImplementedError
