"""Autograding throughput: the class graded by ``python -m convlearn.grading autograde`` (Dask) and by serial
``nbgrader autograde``; prints submissions/minute, speed-up and parallel efficiency.

    python benchmarks/bench_grading.py                                   # 24 submissions of a2_discrete1d
    python benchmarks/bench_grading.py --n 40 --workers 1 2 4 --assignment a4_conv_layer

Each submission is the reference solution or one of the buggy/cheat variants of
``exercises/testing/variants/<assignment>/`` (round robin; hanging variants are left out unless
``--include-hangs``, since they only measure the time limits). Every mode grades its own copy of the same
class. Sandbox start-up (the sandboxed kernel's start, from nbgrader's log) and the whole task time per
submission (from the provenance records) are reported too. Timings depend on the machine's load, which is
printed (``os.getloadavg``): compare only numbers measured on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "exercises" / "testing"))
import course  # noqa: E402


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _parallel(c: course.Course, assignment: str, workers: int) -> float:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "convlearn.grading", "autograde", assignment, "--force",
                           "--no-progress", "--workers", str(workers), f"--Execute.timeout={c.timeout}"],
                          cwd=c.root, env=course.environment(), capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0 or " 0 failed" not in proc.stdout:
        raise RuntimeError(f"parallel grading failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    return elapsed


def _records(c: course.Course, assignment: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in (c.root / ".convlearn" / "graded" / assignment).glob("*.json")]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="a2_discrete1d")
    parser.add_argument("--n", type=int, default=24, help="number of submissions")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--include-hangs", action="store_true")
    parser.add_argument("--no-serial", action="store_true", help="skip serial nbgrader autograde")
    parser.add_argument("--keep", action="store_true", help="keep the temporary course directories")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        base = course.Course(tmp / "class", timeout=60)
        base.nbgrader("generate_assignment", args.assignment, "--force")
        pool = ["reference"] + [v for v in course.variants(args.assignment) if args.include_hangs or v.kind != "hang"]
        for i in range(args.n):
            base.submit(f"s{i:03d}", args.assignment, base.submission(args.assignment, pool[i % len(pool)]))
        rows = []  # (mode, workers, seconds)
        print(f"assignment {args.assignment}, {args.n} submissions ({len(pool)} distinct), {os.cpu_count()} cores, "
              f"load average at start {_load()}", flush=True)
        if not args.no_serial:
            c = course.Course(tmp / "serial", copy=False, timeout=60)
            shutil.copytree(base.root, c.root)
            t = time.perf_counter()
            c.nbgrader("autograde", args.assignment, "--force")
            rows.append(("nbgrader autograde (serial)", 1, time.perf_counter() - t))
            print(f"  {rows[-1][0]}: {rows[-1][2]:.1f} s (load {_load()})", flush=True)
        starts, tasks = [], []
        for w in args.workers:
            c = course.Course(tmp / f"dask{w}", copy=False, timeout=60)
            shutil.copytree(base.root, c.root)
            rows.append(("convlearn.grading autograde", w, _parallel(c, args.assignment, w)))
            print(f"  {rows[-1][0]} --workers {w}: {rows[-1][2]:.1f} s (load {_load()})", flush=True)
            for rec in _records(c, args.assignment):
                starts += rec["sandbox"]["kernel_start_s"]
                tasks.append(rec["seconds"])
        serial = next((s for m, _, s in rows if "serial" in m), None)
        one = next((s for m, w, s in rows if w == 1 and "serial" not in m), None)
        print(f"\n{'mode':32s} {'workers':>7s} {'wall s':>8s} {'subs/min':>9s} {'vs serial':>9s} {'efficiency':>10s}")
        for mode, w, s in rows:
            vs = f"{serial / s:.2f}x" if serial else "-"
            eff = f"{one / (w * s):.2f}" if one and "serial" not in mode else "-"
            print(f"{mode:32s} {w:7d} {s:8.1f} {args.n / s * 60:9.1f} {vs:>9s} {eff:>10s}")
        if starts:
            print(f"\nsandboxed kernel start-up: median {statistics.median(starts):.2f} s (n={len(starts)}); "
                  f"whole task per submission (temporary course, nbgrader process, grading): median "
                  f"{statistics.median(tasks):.1f} s")
        print(f"load average at the end {_load()}")
    finally:
        if args.keep:
            print(f"courses kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
