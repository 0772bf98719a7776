"""Where the student-side checks meet the grader: the harness running a test cell in this process, if any.

:class:`convlearn.grading.checks.Checks` looks here to learn whether it runs in the student's own kernel (the
list is empty: it blocks, times and limits each case itself) or inside the grader's harness
(:mod:`convlearn.grading.grader.harness` pushes its running context here: each case is handed to it). Neither
side imports the other; both import this module.
"""

from __future__ import annotations

__all__ = ["ACTIVE_HARNESS", "Skipped"]

#: The harness contexts running a test cell in this process, innermost last (empty in a student's kernel).
ACTIVE_HARNESS: list = []


class Skipped(Exception):
    """A check that already failed by time-out or a lost kernel is not run again (raised by the harness)."""
