"""Benchmark convlearn.nn.functional against PyTorch CPU, one thread each.

Usage::

    python benchmarks/bench_conv.py                # full run (a few minutes)
    python benchmarks/bench_conv.py --quick        # smoke run: fewer repeats, smaller batches
    python benchmarks/bench_conv.py --stat min     # best-of-repeats: robust on a machine shared with other jobs
    python benchmarks/bench_conv.py --only conv --dtype float32
    python benchmarks/bench_conv.py --clock cpu    # CPU time of this thread: ignores waiting for a busy core

Prints, for float64 and float32, the median time of ``conv2d`` (forward) and of ``conv2d`` +
``conv2d_backward`` (forward + backward, against autograd) for the cases below, the ratio
convlearn / PyTorch, and the geometric mean of the ratios; then the same for ``max_pool2d``, whose
forward + backward is timed the way ``nn.MaxPool2d`` and PyTorch's autograd run it: the forward also returns
the indices of the maxima (``return_indices=True``) and the backward takes them. Every
timed result is first checked against PyTorch (1e-10 relative in float64, 1e-4 in float32).
Targets (issue #20; geometric means over all 18 cases, 9 shapes × 2 dtypes): forward <= 1.0x and forward +
backward <= 1.0x (:data:`TARGETS`); the depthwise float32 case at the NumPy floor that ``depthwise_floor.py``
measures; max_pool2d forward + backward <= 1.0x. (The earlier targets were 1.2x and 1.3x, with no float32 case
above 1.6x.)

The two libraries are timed alternately (torch, ours, torch, ours, ...) so that a change of machine load
affects both; on a busy machine the median still penalises the slower (longer) call, hence ``--stat min``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
             "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import convlearn.nn.functional as F  # noqa: E402

# (N, C_in, C_out, H=W, k, stride, padding, dilation, groups)
CASES = [
    (64, 1, 8, 8, 3, 1, 1, 1, 1),
    (64, 1, 8, 28, 5, 1, 0, 1, 1),
    (64, 8, 16, 12, 5, 1, 0, 1, 1),
    (32, 3, 32, 32, 3, 1, 1, 1, 1),
    (32, 32, 64, 16, 3, 1, 1, 1, 1),
    (32, 32, 64, 32, 3, 2, 1, 1, 1),
    (32, 32, 32, 16, 3, 1, 2, 2, 1),
    (32, 64, 64, 16, 3, 1, 1, 1, 64),
    (32, 64, 128, 8, 1, 1, 0, 1, 1),
]
# (N, C, H=W, k, stride, padding)
POOL_CASES = [
    (64, 8, 28, 2, 2, 0),
    (32, 32, 32, 2, 2, 0),
    (32, 64, 16, 3, 2, 1),
    (32, 16, 32, 3, 1, 1),
]


#: The targets of the all-18 geometric means: forward, forward + backward.
TARGETS = (1.0, 1.0)
STAT = statistics.median
CLOCK = time.perf_counter


def paired_times(fn_torch, fn_ours, repeats: int) -> tuple[float, float]:
    """Median (or ``--stat min``) times of two functions, run alternately so that load changes hit both alike."""
    fn_torch()  # warm-up
    fn_ours()
    t_torch, t_ours = [], []
    for _ in range(repeats):
        t0 = CLOCK()
        fn_torch()
        t1 = CLOCK()
        fn_ours()
        t2 = CLOCK()
        t_torch.append(t1 - t0)
        t_ours.append(t2 - t1)
    return STAT(t_torch), STAT(t_ours)


def check(name, ours, theirs, dtype):
    theirs = theirs.detach().numpy()
    tol = 1e-10 if dtype == np.float64 else 1e-4
    err = np.max(np.abs(ours - theirs)) / max(1.0, np.max(np.abs(theirs)))
    if not err <= tol or ours.dtype != theirs.dtype:
        raise SystemExit(f"{name}: answers disagree (relative error {err:.2e}, dtypes {ours.dtype}/{theirs.dtype})")


def geomean(values):
    return float(np.exp(np.mean(np.log(values))))


def bench_conv(torch, dtype, repeats, quick, rng):
    return [conv_case(torch, case, dtype, repeats, quick, rng) for case in CASES]


def conv_case(torch, case, dtype, repeats, quick, rng):
    tf = torch.nn.functional
    n, c_in, c_out, hw, k, s, p, d, g = case
    if quick:
        n = max(2, n // 8)
    x = rng.standard_normal((n, c_in, hw, hw)).astype(dtype)
    w = rng.standard_normal((c_out, c_in // g, k, k)).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype)
    kw = dict(stride=s, padding=p, dilation=d, groups=g)
    xt, wt, bt = (torch.from_numpy(a) for a in (x, w, b))
    y = F.conv2d(x, w, b, **kw)
    with torch.no_grad():
        check(f"conv2d {case}", y, tf.conv2d(xt, wt, bt, **kw), dtype)
    go = rng.standard_normal(y.shape).astype(dtype)
    got = torch.from_numpy(go)
    xg, wg, bg = (t.clone().requires_grad_() for t in (xt, wt, bt))
    tf.conv2d(xg, wg, bg, **kw).backward(got)
    gx, gw, gb = F.conv2d_backward(go, x, w, **kw)
    for nm, a, t in (("grad_x", gx, xg.grad), ("grad_weight", gw, wg.grad), ("grad_bias", gb, bg.grad)):
        check(f"conv2d_backward {nm} {case}", a, t, dtype)

    def torch_fwd():
        with torch.no_grad():
            tf.conv2d(xt, wt, bt, **kw)

    def ours_fwd():
        F.conv2d(x, w, b, **kw)

    def torch_fb():
        xg.grad = wg.grad = bg.grad = None
        tf.conv2d(xg, wg, bg, **kw).backward(got)

    def ours_fb():
        F.conv2d(x, w, b, **kw)
        F.conv2d_backward(go, x, w, **kw)

    tt_f, to_f = paired_times(torch_fwd, ours_fwd, repeats)
    tt_b, to_b = paired_times(torch_fb, ours_fb, repeats)
    return (n,) + case[1:], tt_f, to_f, tt_b, to_b


def bench_pool(torch, dtype, repeats, quick, rng):
    return [pool_case(torch, case, dtype, repeats, quick, rng) for case in POOL_CASES]


def pool_case(torch, case, dtype, repeats, quick, rng):
    tf = torch.nn.functional
    n, c, hw, k, s, p = case
    if quick:
        n = max(2, n // 8)
    x = rng.standard_normal((n, c, hw, hw)).astype(dtype)
    xt = torch.from_numpy(x)
    kw = dict(kernel_size=k, stride=s, padding=p)
    y = F.max_pool2d(x, **kw)
    with torch.no_grad():
        check(f"max_pool2d {case}", y, tf.max_pool2d(xt, **kw), dtype)
    go = rng.standard_normal(y.shape).astype(dtype)
    got = torch.from_numpy(go)
    xg = xt.clone().requires_grad_()
    tf.max_pool2d(xg, **kw).backward(got)
    check(f"max_pool2d_backward {case}", F.max_pool2d_backward(go, x, **kw), xg.grad, dtype)

    def torch_fwd():
        with torch.no_grad():
            tf.max_pool2d(xt, **kw)

    def torch_fb():
        xg.grad = None
        tf.max_pool2d(xg, **kw).backward(got)

    def ours_fb():  # as nn.MaxPool2d does it, and as PyTorch's autograd does: the forward also finds the indices
        _, index = F.max_pool2d(x, **kw, return_indices=True)
        F.max_pool2d_backward(go, x, **kw, indices=index)

    tt_f, to_f = paired_times(torch_fwd, lambda: F.max_pool2d(x, **kw), repeats)
    tt_b, to_b = paired_times(torch_fb, ours_fb, repeats)
    return (n,) + case[1:], tt_f, to_f, tt_b, to_b


def report(title, header, rows):
    print(f"\n{title}")
    print(f"{header:<36s} {'torch fwd':>10s} {'ours fwd':>10s} {'ratio':>6s}   {'torch f+b':>10s} {'ours f+b':>10s}"
          f" {'ratio':>6s}")
    for case, tt_f, to_f, tt_b, to_b in rows:
        print(f"{str(case):<36s} {tt_f * 1e3:9.2f}ms {to_f * 1e3:9.2f}ms {to_f / tt_f:6.2f}   {tt_b * 1e3:9.2f}ms "
              f"{to_b * 1e3:9.2f}ms {to_b / tt_b:6.2f}")
    gf = geomean([r[2] / r[1] for r in rows])
    gb = geomean([r[4] / r[3] for r in rows])
    print(f"{'geometric mean':<36s} {'':>10s} {'':>10s} {gf:6.2f}   {'':>10s} {'':>10s} {gb:6.2f}")
    return gf, gb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: batch / 8 and 3 repeats")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per measurement (default 15)")
    parser.add_argument("--dtype", choices=("float64", "float32", "both"), default="both")
    parser.add_argument("--stat", choices=("median", "min"), default="median",
                        help="summary of the repeats; 'min' filters out the noise of a machine shared with other jobs")
    parser.add_argument("--only", choices=("conv", "pool", "both"), default="both")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="'cpu' times the CPU used by this thread (time.thread_time): on a machine shared with "
                             "other jobs it does not count the time the benchmark waits for a core")
    args = parser.parse_args(argv)
    global STAT, CLOCK
    STAT = statistics.median if args.stat == "median" else min
    CLOCK = time.perf_counter if args.clock == "wall" else time.thread_time
    try:
        import torch
    except ImportError:
        print("PyTorch is required for this benchmark: pip install torch==2.13.0", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    repeats = args.repeats or (3 if args.quick else 15)
    rng = np.random.default_rng(0)
    dtypes = (np.float64, np.float32) if args.dtype == "both" else (np.dtype(args.dtype).type,)
    print(f"numpy {np.__version__}, torch {torch.__version__}, 1 thread, {args.stat} of {repeats} repeats, "
          f"{args.clock} clock"
          + (" (quick)" if args.quick else ""))
    summary = []
    for dtype in dtypes:
        name = np.dtype(dtype).name
        gf = gb = pf = pb = float("nan")
        if args.only in ("conv", "both"):
            rows = bench_conv(torch, dtype, repeats, args.quick, rng)
            gf, gb = report(f"conv2d, {name}", "(N, C_in, C_out, H, k, s, p, d, g)", rows)
        if args.only in ("pool", "both"):
            prow = bench_pool(torch, dtype, repeats, args.quick, rng)
            pf, pb = report(f"max_pool2d, {name}", "(N, C, H, k, s, p)", prow)
        if args.only in ("conv", "both") and name == "float32":
            worst = max(rows, key=lambda r: r[2] / r[1])
            print(f"largest float32 forward ratio: {worst[2] / worst[1]:.2f}, {worst[0]}")
        summary.append((name, gf, gb, pf, pb))
    print("\nsummary (geometric mean of convlearn / torch time)")
    for name, gf, gb, pf, pb in summary:
        print(f"  {name}: conv2d forward {gf:.2f}, forward+backward {gb:.2f}; "
              f"max_pool2d forward {pf:.2f}, forward+backward {pb:.2f}")
    if len(summary) == 2:
        # The targets are geometric means over all cases of both dtypes: the geometric mean of the two per-dtype
        # geometric means (each over the same number of cases).
        if args.only != "pool":
            both_f = geomean([summary[0][1], summary[1][1]])
            both_b = geomean([summary[0][2], summary[1][2]])
            print(f"  all 18 conv2d cases: forward {both_f:.2f} (target {TARGETS[0]}), forward+backward {both_b:.2f} "
                  f"(target {TARGETS[1]})")
        if args.only != "conv":
            print(f"  all 8 max_pool2d cases: forward+backward {geomean([summary[0][4], summary[1][4]]):.2f} "
                  "(target 1.0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
