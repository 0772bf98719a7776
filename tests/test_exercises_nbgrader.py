"""The course end to end with nbgrader 0.9.6, one assignment per test, in a throw-away copy of exercises/.

For each assignment: generate_assignment (the release has no solutions and no hidden tests); validate passes
on the source and fails on the release; autograde the reference solution (full marks), the blank release
(0), a tampered notebook (edited and deleted test cells are restored, so it still gets exactly the
reference's marks), every buggy/cheat/hang variant (less than full, losing at least the test cells its file
names, without stopping the grading of the others); generate_feedback (offline HTML that says which cases
failed and why, without hidden test code); export the grades to CSV.
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "exercises" / "testing"))
import course  # noqa: E402

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

CELL_TIMEOUT = course.CELL_TIMEOUT


@pytest.mark.parametrize("assignment", course.assignments())
def test_course_end_to_end(assignment, tmp_path):
    c = course.Course(tmp_path / "course", timeout=CELL_TIMEOUT)

    # release: no solutions, no hidden tests
    c.nbgrader("generate_assignment", assignment, "--force")
    release_text = (c.root / "release" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8")
    source = c.source_notebook(assignment)
    assert "BEGIN SOLUTION" not in release_text and "BEGIN HIDDEN TESTS" not in release_text
    assert "_reference" not in release_text, "hidden reference calls leaked into the release"
    assert "raise NotImplementedError()" in release_text
    for cell in source.cells:
        if course.is_solution(cell):
            region = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            # a characteristic solution line (the longest) must not be in the release
            longest = max((line.strip() for line in region.splitlines()), key=len)
            assert longest not in release_text, longest

    # validate: the source passes, the release fails
    ok = c.nbgrader("validate", f"source/{assignment}/{assignment}.ipynb", check=False)
    assert "Success! Your notebook passes all the tests." in ok.stdout, ok.stdout + ok.stderr
    bad = c.nbgrader("validate", f"release/{assignment}/{assignment}.ipynb", check=False)
    assert "Success!" not in bad.stdout and "failed" in (bad.stdout + bad.stderr).lower(), bad.stdout
    # what the Validate button shows: the check lines, not nbgrader's generic "Partial credit" message
    assert "[FAIL]" in bad.stdout and "why: not implemented yet" in bad.stdout, bad.stdout
    assert "Partial credit; passed some but not all of the tests" not in bad.stdout

    # submissions
    variants = course.variants(assignment)
    subs = {"reference": "reference", "blank": "blank", "tampered": "tampered"}
    subs.update({v.name: v for v in variants})
    for student, sub in subs.items():
        c.submit(student, assignment, c.submission(assignment, sub))
    c.nbgrader("autograde", assignment, "--force")
    scores = {student: c.scores(assignment, student) for student in subs}

    def total(student):
        return sum(s for s, _ in scores[student].values())

    full = sum(m for _, m in scores["reference"].values())
    table = os.environ.get("CONVLEARN_GRADING_TABLE")  # optional: append "assignment student score/max" rows
    if table:
        with open(table, "a", encoding="utf-8") as fh:
            for student in subs:
                lost = ",".join(g for g, (s, m) in scores[student].items() if s < m) or "-"
                fh.write(f"{assignment}\t{student}\t{total(student):.2f}/{full:g}\t{lost}\n")
    assert total("reference") == pytest.approx(full), scores["reference"]
    assert total("blank") == 0, scores["blank"]
    assert total("tampered") == pytest.approx(full), scores["tampered"]
    for v in variants:
        got = scores[v.name]
        assert total(v.name) < full, f"{v.name} ({v.description}) got full marks"
        for cell in v.loses:
            assert got[cell][0] < got[cell][1], f"{v.name} should lose points in {cell}: {got}"
        # every other cell is still graded: what the variant did not touch keeps its marks
        untouched = [gid for gid, (s, m) in scores["reference"].items() if gid not in v.loses]
        assert any(got[gid][0] == got[gid][1] for gid in untouched) or not untouched, got

    # feedback: offline, explains failures in words, no hidden test code
    c.nbgrader("generate_feedback", assignment, "--force")
    for student in subs:
        html = (c.root / "feedback" / student / assignment / f"{assignment}.html").read_text(encoding="utf-8")
        assert "cdnjs.cloudflare.com" not in html and "<script src=\"http" not in html
        assert "BEGIN HIDDEN TESTS" not in html and "_reference(" not in html
        assert "window.MathJax" in html and "MathJax.startup" in html, "the feedback must carry MathJax inline"
    some_buggy = next(v for v in variants if v.kind == "buggy")
    html = (c.root / "feedback" / some_buggy.name / assignment / f"{assignment}.html").read_text(encoding="utf-8")
    assert "[FAIL]" in html and "why:" in html

    # export
    c.nbgrader("export", "--to", str(tmp_path / "grades.csv"))
    with open(tmp_path / "grades.csv", newline="") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh) if row["assignment"] == assignment}
    assert set(rows) == set(subs)
    assert float(rows["reference"]["score"]) == pytest.approx(full)
    assert float(rows["blank"]["score"]) == 0
