"""What a graded course must show, shared by the end-to-end tests and the parallel-grading test.

``tests/test_exercises_nbgrader.py`` runs every assignment end to end with one serial ``nbgrader autograde``.
The assignment :data:`COMPARED` is graded serially by ``tests/test_grading_parallel.py`` too (its rows are the
oracle of the parallel run), so that serial run is its end-to-end test: the same checks, one grading fewer.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "exercises" / "testing"))
import course  # noqa: E402

#: The quickest assignment to grade: graded serially and in parallel, its full class compared row by row.
COMPARED = "a1_integral"


def class_subs(assignment: str, n_variants: int | None = None) -> dict:
    """``{student: submission}``: the reference, the blank release, a tampered copy and the first variants."""
    subs = {"reference": "reference", "blank": "blank", "tampered": "tampered"}
    subs.update({v.name: v for v in course.variants(assignment)[:n_variants]})
    return subs


def check_release_and_validate(c: course.Course, assignment: str) -> None:
    """``generate_assignment`` has run: the release has no solution and no hidden test; validate tells them apart."""
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


def check_graded_class(c: course.Course, assignment: str, subs: dict, csv_path: Path, on_time: str = "reference",
                       table: str | None = None) -> None:
    """``subs`` (see :func:`class_subs`) are autograded: scores, feedback and the exported grades are right.

    ``on_time`` is a full-marks student whose submission was not late (the exported score is after the penalty);
    ``table``, a file to append ``assignment student score/max lost-cells`` rows to.
    """
    variants = [sub for sub in subs.values() if isinstance(sub, course.Variant)]
    scores = {student: c.scores(assignment, student) for student in subs}

    def total(student):
        return sum(s for s, _ in scores[student].values())

    full = sum(m for _, m in scores["reference"].values())
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
    c.nbgrader("export", "--to", str(csv_path))
    with open(csv_path, newline="") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh) if row["assignment"] == assignment}
    assert set(rows) == set(subs)
    assert float(rows[on_time]["score"]) == pytest.approx(full)
    assert float(rows["blank"]["score"]) == 0
