"""Command line of the course's grading: ``python -m convlearn.grading autograde <assignment> [options]``.

Run in the course directory (the one with ``nbgrader_config.py``)::

    python -m convlearn.grading autograde a2_discrete1d                  # LocalCluster, one worker per core
    python -m convlearn.grading autograde a2_discrete1d --workers 2
    python -m convlearn.grading autograde a2_discrete1d --scheduler tcp://10.0.0.5:8786
    python -m convlearn.grading autograde a2_discrete1d --force          # regrade unchanged submissions too

Further ``--Class.trait=value`` options are nbgrader's (e.g. ``--Execute.timeout=40``); they apply to every
submission. Exit status 0 unless the course itself cannot be graded (2).
"""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m convlearn.grading", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    auto = commands.add_parser("autograde", help="grade every submission of an assignment in parallel (Dask)")
    auto.add_argument("assignment")
    auto.add_argument("--workers", type=int, default=None,
                      help="worker processes of the local Dask cluster (default: the number of cores)")
    auto.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler, tcp://host:port")
    auto.add_argument("--force", action="store_true", help="regrade submissions that did not change, too")
    auto.add_argument("--course", default=".", help="the course directory (default: the current one)")
    auto.add_argument("--no-progress", action="store_true", help="no progress bar")
    args, extra = parser.parse_known_args(argv)
    bad = [o for o in extra if not (o.startswith("--") and "." in o.split("=", 1)[0] and "=" in o)]
    if bad:
        parser.error(f"unrecognised arguments: {' '.join(bad)} (nbgrader options are --Class.trait=value)")
    if args.workers is not None and args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    if args.workers is not None and args.scheduler:
        parser.error("--workers starts a local cluster; --scheduler uses an existing one: give one of them")

    from .grader.parallel import CourseError, autograde

    try:
        outcome = autograde(args.course, args.assignment, workers=args.workers, scheduler=args.scheduler,
                            force=args.force, options=extra, progress=not args.no_progress)
    except CourseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: every submission graded so far is kept; run the same command again to grade the rest",
              file=sys.stderr)
        return 130
    for student, why in outcome.failures.items():
        print(f"FAILED {student}/{args.assignment}:\n{why}", file=sys.stderr)
    print(outcome.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
