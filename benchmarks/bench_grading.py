"""Autograding throughput: grade simulated submissions with parallel nbgrader workers; print submissions/minute.

    python benchmarks/bench_grading.py                      # 50 submissions of a2_discrete1d, 2 workers
    python benchmarks/bench_grading.py --n 50 --workers 4 --assignment a4_conv_layer

Each submission is the reference solution or one of the buggy/cheat variants of
``exercises/testing/variants/<assignment>/`` (round robin; hanging variants are left out unless
``--include-hangs``, since they only measure the timeout).

Parallelism and the gradebook: nbgrader keeps grades in one SQLite file, and several ``nbgrader autograde``
processes writing to it at once can fail with "database is locked". So the students are split into shards;
shard *i* is graded by its own process with its own copy of the gradebook (``--CourseDirectory.db_url``)
and its own students (``--student 'w<i>-*'``) — no file is written by two processes. Afterwards the shard
gradebooks are merged into the course gradebook (one writer), and the merged total is checked.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "exercises" / "testing"))
import course  # noqa: E402


def merge(shards: list[Path], target: Path, assignment: str) -> int:
    """Copy every graded submission of the shard gradebooks into ``target``; return how many."""
    from nbgrader.api import Gradebook

    n = 0
    with Gradebook(f"sqlite:///{target}") as main:
        for shard in shards:
            with Gradebook(f"sqlite:///{shard}") as gb:
                for sub in gb.assignment_submissions(assignment):
                    main.update_or_create_student(sub.student_id)
                    main.update_or_create_submission(assignment, sub.student_id, timestamp=sub.timestamp)
                    for nb in sub.notebooks:
                        for grade in nb.grades:
                            target_grade = main.find_grade(grade.name, nb.name, assignment, sub.student_id)
                            target_grade.auto_score = grade.auto_score
                            target_grade.manual_score = grade.manual_score
                    main.db.commit()
                    n += 1
    return n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="a2_discrete1d")
    parser.add_argument("--n", type=int, default=50, help="number of submissions")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--include-hangs", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary course directory")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        c = course.Course(tmp / "course", timeout=60)
        c.nbgrader("generate_assignment", args.assignment, "--force")
        pool = ["reference"] + [v for v in course.variants(args.assignment) if args.include_hangs or v.kind != "hang"]
        shard_of = {}
        for i in range(args.n):
            sub = pool[i % len(pool)]
            student = f"w{i % args.workers}-s{i:03d}"
            shard_of[student] = i % args.workers
            c.submit(student, args.assignment, c.submission(args.assignment, sub))
        dbs = []
        for w in range(args.workers):
            db = c.root / f"gradebook-shard{w}.db"
            shutil.copy(c.root / "gradebook.db", db)
            dbs.append(db)

        def grade(w: int) -> float:
            t = time.perf_counter()
            c.nbgrader("autograde", args.assignment, "--student", f"w{w}-*", "--force", db=str(dbs[w]))
            return time.perf_counter() - t

        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.workers) as ex:  # each thread waits on one process
            per_worker = list(ex.map(grade, range(args.workers)))
        elapsed = time.perf_counter() - start
        merged = merge(dbs, c.root / "gradebook.db", args.assignment)
        if merged != args.n:
            raise RuntimeError(f"merged {merged} submissions, expected {args.n}")
        totals = [sum(s for s, _ in c.scores(args.assignment, st).values()) for st in shard_of]
        print(f"assignment        {args.assignment}")
        print(f"submissions       {args.n} ({len(pool)} distinct variants incl. the reference)")
        print(f"workers           {args.workers} (each with its own gradebook shard, merged afterwards)")
        print(f"cpu cores         {os.cpu_count()}")
        print(f"wall time         {elapsed:.1f} s (per worker: {', '.join(f'{t:.1f}' for t in per_worker)} s)")
        print(f"throughput        {args.n / elapsed * 60:.1f} submissions/minute")
        print(f"mean score        {sum(totals) / len(totals):.2f}")
    finally:
        if args.keep:
            print(f"course kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
