"""How close NumPy can get to PyTorch on a depthwise convolution: the evidence behind the one float32 case of
``bench_conv.py`` that stays above 1.6x.

A depthwise 3×3 convolution in NumPy is either nine multiply-and-add passes over the outputs, or products with
mostly-zero (Toeplitz) matrices. This times, one thread, alternately and best of 30:

* PyTorch's ``conv2d`` and ``convlearn``'s on the benchmark's depthwise case (batch 32, 64 channels, 16×16);
* an idealised lower bound for the tap loop: 9 × (multiply + add) over as many outputs, each pass contiguous,
  in cache and with one scalar weight -- cheaper than any real tap loop, which reads shifted windows with a
  weight per channel;
* for comparison, the dilated 32 → 32 case and the matrix product alone that its im2col path needs.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/depthwise_floor.py
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import convlearn.nn.functional as F  # noqa: E402


def best_of(fns, repeats=30):
    """Best CPU time (ms) of each function, run alternately."""
    best = [np.inf] * len(fns)
    for fn in fns:
        fn()
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t0 = time.thread_time()
            fn()
            best[i] = min(best[i], time.thread_time() - t0)
    return [b * 1e3 for b in best]


def main() -> int:
    import torch

    tf = torch.nn.functional
    rng = np.random.default_rng(0)
    dt = np.float32

    x = rng.standard_normal((32, 64, 16, 16)).astype(dt)
    w = rng.standard_normal((64, 1, 3, 3)).astype(dt)
    b = rng.standard_normal(64).astype(dt)
    xt, wt, bt = (torch.from_numpy(a) for a in (x, w, b))
    plane = rng.standard_normal(64 * 256).astype(dt)  # one image's outputs: 64 channels × 16 × 16, fits in cache
    term, total = np.empty_like(plane), np.zeros_like(plane)

    def torch_depthwise():
        with torch.no_grad():
            tf.conv2d(xt, wt, bt, padding=1, groups=64)

    def ideal_taps():
        for _ in range(32):  # the batch
            for _ in range(9):  # the taps
                np.multiply(plane, 0.5, out=term)
                total.__iadd__(term)

    t, ours, ideal = best_of([torch_depthwise, lambda: F.conv2d(x, w, b, padding=1, groups=64), ideal_taps])
    print(f"depthwise 3x3, float32: torch {t:.2f} ms, convlearn {ours:.2f} ms ({ours / t:.2f}x); "
          f"idealised 9-pass tap loop {ideal:.2f} ms ({ideal / t:.2f}x)")

    x = rng.standard_normal((32, 32, 16, 16)).astype(dt)
    w = rng.standard_normal((32, 32, 3, 3)).astype(dt)
    b = rng.standard_normal(32).astype(dt)
    xt, wt, bt = (torch.from_numpy(a) for a in (x, w, b))
    weight = w.reshape(32, -1)
    cols = rng.standard_normal((288, 32 * 256)).astype(dt)

    def torch_dilated():
        with torch.no_grad():
            tf.conv2d(xt, wt, bt, padding=2, dilation=2)

    t, ours, gemm = best_of([torch_dilated, lambda: F.conv2d(x, w, b, padding=2, dilation=2), lambda: weight @ cols])
    print(f"dilated 3x3, float32: torch {t:.2f} ms, convlearn {ours:.2f} ms ({ours / t:.2f}x); "
          f"its matrix product alone {gemm:.2f} ms ({gemm / t:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
