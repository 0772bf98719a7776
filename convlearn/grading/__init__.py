"""Grading of the course (``exercises/``): checks with partial credit, and the isolation of submissions.

Two places run a test cell of the course:

- **In the student's JupyterLab**, the visible checks run in the student's own kernel, as ordinary code:
  :class:`Checks` runs each case with library routines blocked (:func:`forbid`), a time limit and a memory
  limit, and prints ``[PASS]``/``[FAIL] why`` lines. These checks teach; they decide nothing.
- **When the instructor runs** ``nbgrader autograde``, the whole test cell runs in the grader's own process
  (:mod:`convlearn.grading.grader`), while the student's code runs in a sandboxed kernel that the grader
  calls with plain data (:mod:`convlearn.grading.agent`, :mod:`convlearn.grading.wire`).

This face re-exports what test cells import. The student/kernel side is :mod:`.rules` (the forbidden lists),
:mod:`.limits` (blocking and limits), :mod:`.checks` (``Checks``, ``expect_*``), :mod:`.agent` and
:mod:`.wire`; it never imports :mod:`convlearn.grading.grader`, the instructor's side (extra ``grading``).
"""

from __future__ import annotations

from .limits import ForbiddenCallError, forbid, memory_limit, time_limit
from .rules import CNN_LAYERS, CONV_1D, CONV_2D, CONV_BACKWARD, CONV_LAYER, INTEGRALS

__all__ = [
    "Checks",
    "GradingError",
    "CaseResult",
    "ForbiddenCallError",
    "forbid",
    "time_limit",
    "memory_limit",
    "expect_close",
    "expect_shape",
    "CONV_1D",
    "CONV_2D",
    "CONV_LAYER",
    "CONV_BACKWARD",
    "INTEGRALS",
    "CNN_LAYERS",
]

#: What :mod:`.checks` gives this face. That module imports NumPy, so it is imported when one of these is first asked
#: for: the sandbox's launcher (:mod:`convlearn.grading.grader.sandbox`), started for every graded kernel, imports
#: this package and needs none of them.
_CHECKS = ("Checks", "GradingError", "CaseResult", "expect_close", "expect_shape")


def __getattr__(name: str):
    if name in _CHECKS:
        from . import checks

        return getattr(checks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
