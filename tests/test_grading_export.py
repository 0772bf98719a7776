"""The LMS exports (convlearn.grading.grader.export) on a gradebook made here, checked against Canvas's
documented layout.

Canvas's gradebook CSV (what its "Export" writes and its "Import" reads): the header starts with the columns
Student, ID, SIS User ID, SIS Login ID, Section; then one column per assignment ("name" for a new assignment,
"name (canvas id)" for an existing one); the second row is "Points Possible" with each assignment's maximum; a
blank score leaves the Canvas grade alone. The instructors' guide cites the pages this layout is taken from.
"""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

nbgrader_api = pytest.importorskip("nbgrader.api")
# nbgrader's own Gradebook.add_submission trips SQLAlchemy's autoflush warnings; they are not about this code
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

from convlearn.grading.grader.export import (  # noqa: E402
    CANVAS_LEADING_COLUMNS,
    GENERIC_COLUMNS,
    CanvasCsvExportPlugin,
    GenericCsvExportPlugin,
)

# (student id, first, last): "Smith, Jr." has a comma, which nbgrader's own CSV exporter does not quote
STUDENTS = [("alice", "Alice", "Smith, Jr."), ("bob", "Bob", "Jones"), ("carol", "", "")]
# assignment -> {grade cell: max points}; scores per (assignment, student) below
CELLS = {"a1": {"t1": 4.0, "t2": 6.0}, "a2": {"t1": 2.5, "t2": 0.5}}
SCORES = {("a1", "alice"): {"t1": 4.0, "t2": 3.0}, ("a1", "bob"): {"t1": 1.0, "t2": 0.0},
          ("a2", "alice"): {"t1": 2.5, "t2": 0.25}}  # carol submitted nothing; bob has no a2


@pytest.fixture
def gradebook(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with nbgrader_api.Gradebook(url) as gb:
        for sid, first, last in STUDENTS:
            gb.add_student(sid, first_name=first or None, last_name=last or None)
        for a, cells in CELLS.items():
            gb.add_assignment(a)
            gb.add_notebook(a, a)
            for name, points in cells.items():
                gb.add_grade_cell(name, a, a, max_score=points, cell_type="code")
                gb.add_source_cell(name, a, a, cell_type="code", locked=True, source="pass", checksum="x")
        for (a, sid), scores in SCORES.items():
            gb.add_submission(a, sid)
            for name, score in scores.items():
                gb.find_grade(name, a, a, sid).manual_score = score
        gb.db.commit()
    return url


def _export(plugin_cls, url, dest, **traits):
    with nbgrader_api.Gradebook(url) as gb:
        plugin_cls(to=str(dest), **traits).export(gb)
    with open(dest, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_canvas_layout(gradebook, tmp_path):
    rows = _export(CanvasCsvExportPlugin, gradebook, tmp_path / "canvas.csv", section="Lab 1")
    assert rows[0] == [*CANVAS_LEADING_COLUMNS, "a1", "a2"]
    assert rows[1] == ["Points Possible", "", "", "", "", "10", "3"]
    body = {r[3]: r for r in rows[2:]}                 # by SIS Login ID
    assert set(body) == {"alice", "bob", "carol"} and len(rows) == 5
    assert body["alice"] == ["Smith, Jr., Alice", "", "", "alice", "Lab 1", "7", "2.75"]
    assert body["bob"] == ["Jones, Bob", "", "", "bob", "Lab 1", "1", ""]
    assert body["carol"] == ["carol", "", "", "carol", "Lab 1", "", ""]


def test_canvas_roster(gradebook, tmp_path):
    roster = tmp_path / "canvas_export.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,a1 (4711),Quiz (99)\n"
                      "    Points Possible,,,,,10,5\n"
                      '"Smith, Alice",101,S-1,alice,Sec A,,\n'
                      '"Jones, Bob",102,S-2,bob,Sec B,,\n', encoding="utf-8")
    rows = _export(CanvasCsvExportPlugin, gradebook, tmp_path / "canvas.csv", roster=str(roster))
    assert rows[0] == [*CANVAS_LEADING_COLUMNS, "a1 (4711)", "a2"]   # existing Canvas assignment keeps its id
    body = {r[3]: r for r in rows[2:]}
    assert body["alice"][:5] == ["Smith, Alice", "101", "S-1", "alice", "Sec A"]
    assert body["bob"][:5] == ["Jones, Bob", "102", "S-2", "bob", "Sec B"]
    assert body["carol"][:5] == ["carol", "", "", "carol", ""]


def test_canvas_roster_must_be_a_canvas_export(gradebook, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,login\nx,y\n", encoding="utf-8")
    with pytest.raises(ValueError, match="SIS Login ID"):
        _export(CanvasCsvExportPlugin, gradebook, tmp_path / "canvas.csv", roster=str(bad))


def test_generic(gradebook, tmp_path):
    rows = _export(GenericCsvExportPlugin, gradebook, tmp_path / "grades.csv", assignment=["a1"])
    assert tuple(rows[0]) == GENERIC_COLUMNS
    recs = {r[0]: dict(zip(GENERIC_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert len(rows) == 4 and set(recs) == {"alice", "bob", "carol"}
    assert recs["alice"]["last_name"] == "Smith, Jr."
    assert (recs["alice"]["score"], recs["alice"]["max_score"], recs["alice"]["submitted"]) == ("7", "10", "true")
    assert (recs["carol"]["score"], recs["carol"]["submitted"]) == ("", "false")


def test_through_nbgrader_export(gradebook, tmp_path):
    """The plugin as nbgrader's own ``nbgrader export --exporter=...`` loads it."""
    dest = tmp_path / "out.csv"
    subprocess.run([sys.executable, "-m", "nbgrader", "export",
                    "--exporter=convlearn.grading.grader.export.CanvasCsvExportPlugin", f"--to={dest}",
                    f"--CourseDirectory.db_url={gradebook}"], cwd=tmp_path, check=True, capture_output=True)
    rows = list(csv.reader(dest.open(newline="", encoding="utf-8")))
    assert rows[0][:5] == list(CANVAS_LEADING_COLUMNS) and rows[1][0] == "Points Possible"
