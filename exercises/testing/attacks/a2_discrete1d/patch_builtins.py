"""Rebind builtins the test code uses (round, zip, len, sum, print) in the kernel.

expect: 0
"""
# %% conv_full
import builtins

builtins.round = lambda *a, **k: 10.0
builtins.zip = lambda *a, **k: iter(())
builtins.sum = lambda *a, **k: 1e9
builtins.len = lambda obj: 0


def convolve_full(x, k):
    raise NotImplementedError
