"""Time convlearn.signal against SciPy/NumPy on the course's benchmark cases.

Run ``python benchmarks/bench_signal.py`` (or ``--quick`` for fewer repeats).
Single-threaded: the thread-count variables are set before NumPy is imported.
Each case is timed as the median of several repeats (convlearn and the oracle
alternately, so that bursts of load from other processes hit both); the answers are checked
to agree (1e-10 relative to max |reference|) before any time is reported.

Cases: 256 x 256 images with 3 x 3, 15 x 15 and 63 x 63 kernels (``convolve2d``
and ``correlate2d``, mode 'full'), and 1-D signals of 1e5 samples with 11, 101
and 1001 taps (``convolve1d``, mode 'full').  The score of a function is the
geometric mean over its cases of ``convlearn time / oracle time`` (<= 1 means
at least as fast as SciPy/NumPy).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.signal as ss  # noqa: E402

try:
    from convlearn import signal
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from convlearn import signal


@dataclass(frozen=True)
class BenchResult:
    """One benchmark case: median times (seconds) and their ratio."""

    function: str
    case: str
    ours: float
    oracle: float
    max_rel_error: float

    @property
    def ratio(self) -> float:
        return self.ours / self.oracle


def _paired_median_times(ours, oracle, repeats: int) -> tuple[float, float]:
    """Median run times of ``ours`` and ``oracle``, timed alternately so that load bursts hit both alike."""
    ours(), oracle()  # warm-up (imports, FFT plan caches)
    times: tuple[list[float], list[float]] = ([], [])
    for r in range(repeats):
        order = ((0, ours), (1, oracle)) if r % 2 == 0 else ((1, oracle), (0, ours))
        for slot, fn in order:
            start = time.perf_counter()
            fn()
            times[slot].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def cases(rng: np.random.Generator):
    """``(function name, case label, ours, oracle)`` for every benchmark case."""
    image = rng.standard_normal((256, 256))
    for size in (3, 15, 63):
        kernel = rng.standard_normal((size, size))
        label = f"256x256 * {size}x{size}"
        for name, ours, oracle in (
            ("convolve2d", signal.convolve2d, ss.convolve2d),
            ("correlate2d", signal.correlate2d, ss.correlate2d),
        ):
            yield name, label, partial(ours, image, kernel), partial(oracle, image, kernel)
    x = rng.standard_normal(100_000)
    for taps in (11, 101, 1001):
        k = rng.standard_normal(taps)
        yield "convolve1d", f"1e5 * {taps} taps", partial(signal.convolve1d, x, k), partial(np.convolve, x, k)


def run(quick: bool = False, seed: int = 0) -> list[BenchResult]:
    """Time every case; raise ``AssertionError`` if an answer disagrees with the oracle."""
    rng = np.random.default_rng(seed)
    results = []
    for name, label, ours, oracle in cases(rng):
        a, b = ours(), oracle()
        rel = float(np.max(np.abs(a - b)) / np.max(np.abs(b)))
        assert a.shape == b.shape and rel <= 1e-10, f"{name} {label}: answers differ (rel error {rel:.3g})"
        slow = "63x63" in label
        repeats = (1 if slow else 3) if quick else (3 if slow else 21)
        results.append(BenchResult(name, label, *_paired_median_times(ours, oracle, repeats), rel))
    return results


def geometric_means(results: list[BenchResult]) -> dict[str, float]:
    """Geometric mean of the time ratios, per function."""
    out: dict[str, list[float]] = {}
    for r in results:
        out.setdefault(r.function, []).append(math.log(r.ratio))
    return {name: math.exp(sum(v) / len(v)) for name, v in out.items()}


def format_table(results: list[BenchResult]) -> str:
    lines = [
        f"{'function':<12} {'case':<18} {'convlearn ms':>12} {'oracle ms':>10} {'ratio':>7} {'rel err':>9}",
        "-" * 73,
    ]
    for r in results:
        lines.append(
            f"{r.function:<12} {r.case:<18} {1e3 * r.ours:>12.3f} {1e3 * r.oracle:>10.3f} {r.ratio:>7.3f} "
            f"{r.max_rel_error:>9.1e}"
        )
    lines.append("-" * 73)
    for name, gm in geometric_means(results).items():
        lines.append(f"{name:<12} geometric mean of ratios {gm:.3f}  ({'OK' if gm <= 1.0 else 'slower'})")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke test, noisier)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"numpy {np.__version__}, scipy {__import__('scipy').__version__}, single thread")
    print("oracles: scipy.signal.convolve2d / correlate2d, numpy.convolve; mode 'full'")
    print(format_table(run(quick=args.quick, seed=args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
