"""The course end to end with nbgrader 0.9.6, one assignment per test, in a throw-away copy of exercises/.

For each assignment: generate_assignment (the release has no solutions and no hidden tests); validate passes
on the source and fails on the release; autograde the reference solution (full marks), the blank release
(0), a tampered notebook (edited and deleted test cells are restored, so it still gets exactly the
reference's marks), every buggy/cheat/hang variant (less than full, losing at least the test cells its file
names, without stopping the grading of the others); generate_feedback (offline HTML that says which cases
failed and why, without hidden test code); export the grades to CSV.

The checks are in ``tests/_course_checks.py``. ``_course_checks.COMPARED`` (a1) is not graded here: its serial
grading is the oracle of ``tests/test_grading_parallel.py``, which runs these same checks on it.
"""

from __future__ import annotations

import os

import pytest
from _course_checks import COMPARED, check_graded_class, check_release_and_validate, class_subs, course

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


@pytest.mark.parametrize("assignment", [a for a in course.assignments() if a != COMPARED])
def test_course_end_to_end(assignment, tmp_path):
    c = course.Course(tmp_path / "course", timeout=course.CELL_TIMEOUT, time_scale=course.TIME_SCALE)
    c.nbgrader("generate_assignment", assignment, "--force")
    check_release_and_validate(c, assignment)

    subs = class_subs(assignment)
    for student, sub in subs.items():
        c.submit(student, assignment, c.submission(assignment, sub))
    c.nbgrader("autograde", assignment, "--force")
    # CONVLEARN_GRADING_TABLE (optional): append "assignment student score/max lost" rows to that file
    check_graded_class(c, assignment, subs, tmp_path / "grades.csv", table=os.environ.get("CONVLEARN_GRADING_TABLE"))


def test_every_assignment_is_graded_end_to_end():
    assert COMPARED in course.assignments()  # the parallel-grading test runs its end-to-end checks
